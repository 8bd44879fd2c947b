"""app.py: the UI and the API served together over real HTTP with a fake assistant, the UI's
helpers and events, and the Gradio upload route that only the admin token opens."""
from __future__ import annotations

import pytest

import app
from api.replies import contract_of
from rag.service import AssistantService
from tests.fakes.assistant import ANSWER, QUOTE, FakeAssistant, fixed_answer
from tests.fakes.serving import http_client, serve
from ui import chat as ui_chat
from ui import render

client = http_client


# ------------------------------------------------------------------ the UI (Gradio)
def test_ui_helpers():
    assert render.highlight("甲<乙>丙丁", ["<乙>"], []) == "甲<mark>&lt;乙&gt;</mark>丙丁"
    assert render.highlight("企?000家", ["企?000"], [[1, 2]]) == (
        "<mark>企</mark><mark><span class='zc-lost' title='原文缺损，无法恢复'>?</span></mark><mark>000</mark>家")
    assert render.highlight("甲乙丙丁", ["丙", "甲"], []) == "<mark>甲</mark>乙<mark>丙</mark>丁"
    assert render.highlight("甲乙", ["戊"], []) == "甲乙"
    two = contract_of(fixed_answer())
    two["citations"].append({**two["citations"][0], "marker": 2, "quote": "按职责分工负责"})
    html_two = render.sources_html(two)
    assert html_two.count("zc-cite") == 1 and "[1][2]" in html_two and "<mark>按职责分工负责</mark>" in html_two
    html = render.sources_html(contract_of(fixed_answer()))
    assert f"<mark>{QUOTE}</mark>" in html and "中山 · 2021" in html and "本次回答：extractive" in html
    turns = [render.Turn(question="<b>问</b>", answer="答", contract=None)]
    assert render.history_of(turns) == [("问", "答")]
    assert render.answerer_label("llm:deepseek-chat").startswith("LLM（deepseek-chat）")


def test_ui_respond_streams_then_shows_sources(fake):
    steps = list(ui_chat._respond(AssistantService(fake), "问题", ["中山"], []))
    chat, hint, box, turns = steps[-1]
    assert chat[-1]["content"].startswith(ANSWER.replace("[1]", "")[:-1]) and "<mark>" in chat[-1]["content"]
    assert box == "" and turns[0]["answer"] == ANSWER                     # the sources are in the message itself
    assert any(s[0][-1]["content"] == ANSWER[:5] for s in steps)          # a partial answer was shown
    assert fake.calls[0]["filters"].cities == ["中山"]


def test_app_serves_ui_and_api_together(fake):
    with serve(app.create_app(fake)) as url:
        c = client(url)
        page = c.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower() and 'lang="zh-CN"' in page.text
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.post("/api/ask", json={"question": "问"}).json()["answer"] == ANSWER


def test_ui_prepare_turns_index_errors_into_a_visible_message():
    import gradio as gr

    from index.errors import IndexMismatchError

    class Broken(FakeAssistant):
        def warm_up(self, progress=None):
            raise IndexMismatchError("use-multilingual-v3", "sentence-transformers:x")

    with pytest.raises(gr.Error, match="rebuild"):
        ui_chat._prepare(AssistantService(Broken()), lambda *a, **k: None)
    fake = FakeAssistant()
    assert ui_chat._prepare(AssistantService(fake), lambda *a, **k: None) == [] and fake.index_builds == 1


@pytest.mark.parametrize("token", ["", "adm1n"])
def test_gradio_upload_route_opens_only_with_the_admin_token_and_is_bounded(token, tmp_path, monkeypatch):
    from rag.settings import get_settings

    monkeypatch.setenv("ZHICE_ADMIN_TOKEN", token)
    monkeypatch.setenv("ZHICE_ALLOW_UPLOADS", "false")
    monkeypatch.setenv("ZHICE_UPLOAD_MAX_BYTES", "1000")
    monkeypatch.setenv("ZHICE_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("ZHICE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        with serve(app.create_app(FakeAssistant())) as url, http_client(url) as client:
            small = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 500)})
            big = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 5000)})
            page = client.get("/config").text
    finally:
        get_settings.cache_clear()
    if token:
        assert small.status_code == 200 and big.status_code == 413 and '"zc-admin-token"' in page
    else:
        assert small.status_code == big.status_code == 403 and '"zc-admin-token"' not in page
