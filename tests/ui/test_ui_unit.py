"""The UI's pure presentation helpers and event functions, without a browser (a fake assistant)."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from api.replies import contract_of
from rag.service import AssistantService
from rag.uploads import Library, UploadError
from tests.fakes.assistant import ANSWER, QUOTE, FakeAssistant, fixed_answer
from ui import admin as ui_admin
from ui import assets, render
from ui import chat as ui_chat
from ui import page as ui_page

IMG = "<img src=x onerror=alert(1)>"


def test_plain_question_drops_tags_and_markdown_images():
    assert render.plain_question(f"{IMG}中山市?") == "中山市?"
    assert render.plain_question("甲<b>乙</b><!-- c -->丙 ![p](http://e/x.png) 丁") == "甲乙丙 丁"
    assert render.plain_question("![a][ref] 问") == "问"
    assert render.plain_question("合格率<90% 且 >80%") == "合格率<90% 且 >80%"     # not tags: kept
    assert render.plain_question("  多  空格\n换行 ") == "多 空格 换行"
    assert render.plain_question(IMG) == ""


def test_literal_markdown_escapes_html_and_markdown_syntax():
    assert render.literal_markdown(IMG) == "&lt;img src=x onerror=alert\\(1\\)&gt;"
    assert render.literal_markdown("![p](/x.png) *b* `c`") == "\\!\\[p\\]\\(/x.png\\) \\*b\\* \\`c\\`"
    assert render.literal_markdown("- 项\n1. 一\n# 标题") == "\\- 项\n1\\. 一\n\\# 标题"
    assert render.literal_markdown("中山市推行首席质量官制度由哪些部门负责?") == "中山市推行首席质量官制度由哪些部门负责?"
    assert render.literal_markdown("2021-2025 年") == "2021-2025 年"                # only a line-start '-' is a list


def test_inert_markdown_keeps_lists_but_loads_nothing():
    out = render.inert_markdown("- 甲 ![x](http://e/x.png)\n- <img src=y> & 乙")
    assert out.startswith("- 甲 ") and "![" not in out and "<img" not in out and "&lt;img src=y&gt; &amp; 乙" in out


def test_link_markers_only_for_cited_markers():
    assert render.link_markers("甲[1]乙[2][3]", 4, {1, 3}) == (
        "甲<a class='zc-ref' href='#zc-4-1'>[1]</a>乙[2]<a class='zc-ref' href='#zc-4-3'>[3]</a>")


def test_answer_markdown_carries_its_own_sources_with_anchors():
    two = contract_of(fixed_answer("甲[1]乙[2]"))
    two["citations"].append({**two["citations"][0], "marker": 2, "quote": "按职责分工负责"})
    md = render.answer_markdown(two, 3)
    text, sources = md.split("\n\n", 1)
    assert text == "甲<a class='zc-ref' href='#zc-3-1'>[1]</a>乙<a class='zc-ref' href='#zc-3-2'>[2]</a>"
    assert "\n" not in sources                                   # one line: Markdown leaves the HTML block alone
    assert "<span id='zc-3-1'></span><span id='zc-3-2'></span>" in sources and sources.count("zc-cite") == 1
    assert "<details class='zc-sources' open><summary>引用的条款（1）</summary>" in sources
    assert f"<mark>{QUOTE}</mark>" in sources and "<mark>按职责分工负责</mark>" in sources


def test_sources_of_a_declined_answer_and_warnings():
    declined = contract_of(fixed_answer("抱歉"))
    declined["citations"] = []
    assert "没有引用条款" in render.sources_html(declined) and "<details" not in render.sources_html(declined)
    damaged = render.sources_html(contract_of(fixed_answer(damaged=True)))
    assert "⚠ 原文有缺损" in damaged and "zc-lost" in damaged


def test_render_chat_and_history_from_turns():
    contract = contract_of(fixed_answer())
    turns = [render.Turn(question=f"{IMG}问一", answer=ANSWER, contract=contract),
             render.Turn(question="问二", answer="⚠ 出错 <b>", contract=None)]
    chat = render.render_chat(turns)
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
    assert chat[0]["content"].startswith("&lt;img") and "zc-0-1" in chat[1]["content"]
    assert chat[3]["content"] == "⚠ 出错 &lt;b&gt;"
    assert render.history_of(turns) == [("问一", ANSWER), ("问二", "⚠ 出错 <b>")]


def test_respond_streams_then_answers_with_sources():
    fake = FakeAssistant()
    steps = list(ui_chat._respond(AssistantService(fake), f"{IMG}问题", ["中山"], []))
    chat, hint, box, turns = steps[-1]
    assert box == "" and "回答引用了 1 条条款" in hint and len(turns) == 1
    assert chat[0] == {"role": "user", "content": render.literal_markdown(f"{IMG}问题")}
    assert "zc-cite" in chat[1]["content"] and "<img" not in chat[1]["content"]
    assert any(s[0][-1]["content"] == ANSWER[:5] for s in steps)            # a partial answer was shown
    assert fake.calls[0]["question"] == "问题" and fake.calls[0]["filters"].cities == ["中山"]


def test_respond_passes_history_and_keeps_earlier_sources():
    fake = FakeAssistant()
    service = AssistantService(fake)
    *_, (_, _, _, turns) = ui_chat._respond(service, "问一", None, [])
    *_, (chat, _, _, turns) = ui_chat._respond(service, "那东莞呢?", None, turns)
    assert fake.calls[1]["history"] == [("问一", ANSWER)]
    assert "zc-0-1" in chat[1]["content"] and "zc-1-1" in chat[3]["content"]


def test_respond_ignores_an_empty_or_tag_only_question():
    fake = FakeAssistant()
    *_, (chat, hint, box, turns) = ui_chat._respond(AssistantService(fake), IMG, None, [])
    assert chat == [] and turns == [] and "请输入问题" in hint and not fake.calls


def test_respond_shows_a_failure_in_the_chat():
    *_, (chat, _, _, turns) = ui_chat._respond(AssistantService(FakeAssistant(fail=RuntimeError("boom"))), "问", None, [])
    assert "internal error" in chat[-1]["content"] and turns[0]["contract"] is None


def test_reset_is_the_initial_state():
    assert ui_chat._reset() == ([], f"<div class='zc-foot'>{ui_chat.HINT}</div>", "", [], [])


def test_set_html_lang():
    page = b'<!doctype html>\n<html\n\tlang="en"\n\tstyle="margin: 0">\n<p lang="en">x</p>'
    assert ui_page.set_html_lang(page) == b'<!doctype html>\n<html\n\tlang="zh-CN"\n\tstyle="margin: 0">\n<p lang="en">x</p>'


def test_one_public_endpoint_and_city_choices_at_build_time():
    demo = ui_chat.build_ui(AssistantService(FakeAssistant()))
    info = demo.get_api_info()
    assert list(info["named_endpoints"]) == ["/ask"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]] == ["question", "cities"]
    dropdowns = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "zc-cities"]
    assert [c[0] for c in dropdowns[0].choices] == ["中山", "汕头", "东莞", "怀仁", "全国"]
    assert re.search(r"zh-CN", assets.HEAD)


# ------------------------------------------------------------------ the admin section
FOSHAN = ("佛山市质量强市实施方案\n\n一、总体要求\n到2025年，佛山市制造业产品质量合格率达到95%以上。\n\n"
          "二、主要任务\n（一）推行首席质量官制度。支持规模以上工业企业设立首席质量官。（责任单位：佛山市市场监管局、工业和信息化局）\n")


def library_in(tmp_path) -> Library:
    settings = SimpleNamespace(index_dir=tmp_path / "index")
    return Library(corpus_dir=tmp_path / "corpus", index_settings=settings, build=lambda progress: None,
                   on_built=lambda: None)


def upload_file(tmp_path, name: str, data: bytes) -> str:
    folder = tmp_path / "gradio" / "abc"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return str(folder / name)


def test_token_ok_needs_a_configured_token_and_the_exact_value():
    assert ui_admin.token_ok("t0ken", "t0ken") and ui_admin.token_ok(" t0ken\n", "t0ken")
    assert not ui_admin.token_ok("wrong", "t0ken") and not ui_admin.token_ok("", "t0ken") and not ui_admin.token_ok(None, "t0ken")
    assert not ui_admin.token_ok("", "")          # no token configured: nothing opens


def test_documents_html_lists_uploaded_documents_with_state_and_reason():
    docs = [{"doc_id": "000_a", "uploaded": False, "state": "indexed", "title": "随附"},
            {"doc_id": "upload_1", "uploaded": True, "state": "indexed", "title": "佛山<方案>", "city": "佛山", "clauses": 3},
            {"doc_id": "upload_2", "uploaded": True, "state": "failed", "file": "upload_2.txt", "error": "no clauses"},
            {"doc_id": "upload_3", "uploaded": True, "state": "indexing", "file": "upload_3.md"}]
    out = ui_admin.documents_html(docs, {"state": "building", "progress": 0.4, "message": "embedding 2/5"})
    assert "随附" not in out and "佛山&lt;方案&gt;" in out and "已索引" in out
    assert "失败：no clauses" in out and "索引中" in out and "正在更新索引 40%：embedding 2/5" in out
    assert "还没有上传的文件" in ui_admin.documents_html([docs[0]], {"state": "idle"})
    assert ui_admin.build_line({"state": "failed", "error": "boom"}) == "索引更新失败，仍使用原索引（boom）"
    assert ui_admin.removable_choices(docs) == [("佛山<方案>（upload_1）", "upload_1"), ("upload_2.txt（upload_2）", "upload_2"),
                                           ("upload_3.md（upload_3）", "upload_3")]
    assert ui_admin.build_busy({"state": "queued"}) and not ui_admin.build_busy({"state": "idle"})


def test_refusal_text_is_chinese_with_the_library_detail():
    e = UploadError(415, "only .txt, .md files are accepted", "unsupported_file_type")
    assert ui_admin.refusal_text(e) == ("⚠ 只接受 .txt、.md、.html、.htm、.pdf、.docx、.doc、.wps、.png、.jpg、.jpeg、.tif、.tiff "
                                        "文件（only .txt, .md files are accepted）")
    assert ui_admin.refusal_text(UploadError(500, "x", "other")) == "⚠ 操作未完成（x）"


def test_admin_wrong_token_does_nothing(tmp_path):
    library = library_in(tmp_path)
    admin = ui_admin.Admin(library, "t0ken", 10_000)
    path = upload_file(tmp_path, "佛山.txt", FOSHAN.encode())
    message, listing, choices, timer, kept = admin.upload("wrong", path)
    assert "管理令牌不正确" in message and not (tmp_path / "corpus").exists() and Path(path).exists()
    assert admin.refresh("")[0] == message and "管理令牌不正确" in admin.remove("nope", "upload_x")[0]


def test_admin_upload_list_and_remove_through_the_library(tmp_path):
    library = library_in(tmp_path)
    admin = ui_admin.Admin(library, "t0ken", 10_000)
    path = upload_file(tmp_path, "佛山.txt", FOSHAN.encode())
    message, listing, choices, timer, cleared = admin.upload("t0ken", path)
    assert "已上传 佛山.txt" in message and cleared is None and not Path(path).exists()
    stored = list((tmp_path / "corpus").iterdir())
    assert [p.name.startswith("upload_") and p.suffix == ".txt" for p in stored] == [True]
    library.wait(10)
    doc_id = stored[0].stem
    assert doc_id in ui_admin.Admin(library, "t0ken", 10_000).refresh("t0ken")[1]
    message, *_ = admin.remove("t0ken", doc_id)
    assert f"已移除 {doc_id}" in message and not stored[0].exists()
    library.wait(10)


def test_admin_upload_refusals_are_the_library_checks(tmp_path):
    admin = ui_admin.Admin(library_in(tmp_path), "t0ken", 100)
    assert "只接受" in admin.upload("t0ken", upload_file(tmp_path, "a.exe", b"MZ"))[0]
    assert "文件内容与扩展名不符" in admin.upload("t0ken", upload_file(tmp_path, "a.pdf", "一、总则".encode()))[0]
    assert "文件超过大小上限" in admin.upload("t0ken", upload_file(tmp_path, "b.txt", b"x" * 101))[0]
    assert "请先选择" in admin.upload("t0ken", None)[0]
    assert "请先选择要移除" in admin.remove("t0ken", None)[0]
    assert not (tmp_path / "corpus").exists() or not list((tmp_path / "corpus").iterdir())
    admin.max_bytes = 10_000
    assert "已上传" in admin.upload("t0ken", upload_file(tmp_path, "c.txt", FOSHAN.encode()))[0]
    assert "已经上传过" in admin.upload("t0ken", upload_file(tmp_path, "d.txt", FOSHAN.encode()))[0]
    assert "没有这份文件" in admin.remove("t0ken", "upload_0000")[0]
    admin.library.wait(10)


def test_admin_section_only_with_a_token_and_its_events_private(tmp_path):
    plain = ui_chat.build_ui(AssistantService(FakeAssistant()))
    assert not [b for b in plain.blocks.values() if getattr(b, "elem_id", None) == "zc-admin"]
    demo = ui_chat.build_ui(AssistantService(FakeAssistant()), ui_admin.Admin(library_in(tmp_path), "t0ken", 10_000))
    assert [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "zc-admin"]
    assert list(demo.get_api_info()["named_endpoints"]) == ["/ask"]


def test_admin_tick_follows_the_build_and_says_when_it_is_done(tmp_path):
    library = library_in(tmp_path)
    admin = ui_admin.Admin(library, "t0ken", 10_000, cities=lambda: ["中山", "佛山"])
    admin.upload("t0ken", upload_file(tmp_path, "佛山.txt", FOSHAN.encode()))
    library.wait(10)
    message, listing, _, timer, city_filter = admin.tick("t0ken", ["佛山", "汕头"])
    assert "后台索引更新完成" in message and "索引已就绪" in listing and timer.active is False
    assert [c[0] for c in city_filter.choices] == ["中山", "佛山"] and city_filter.value == ["佛山"]   # 汕头 gone
    assert admin.tick("wrong")[1:3] == (gr.skip(), gr.skip())       # a wrong token shows nothing


def test_admin_selfcheck_needs_the_token_and_shows_rates_and_failures(tmp_path):
    from rag.selfcheck import Probe, Report, Result

    report = Report([Result(Probe("heading", "中山 强化市场主体责任", True), True),
                     Result(Probe("unit_written", "佛山<b>局</b>负责哪些工作?", True), False, "missing 1 of 2: 二、(一)")])
    admin = ui_admin.Admin(library_in(tmp_path), "t0ken", 10_000, check=lambda: report)
    assert "管理令牌不正确" in admin.selfcheck("wrong")
    shown = admin.selfcheck("t0ken")
    assert "条款标题(带地方)" in shown and "1/1" in shown and "0/1" in shown and "missing 1 of 2" in shown
    assert "<b>局" not in shown and "&lt;b&gt;" in shown                  # the question is escaped
    assert "没有可自检的索引" in ui_admin.Admin(library_in(tmp_path), "t0ken", 10_000).selfcheck("t0ken")
