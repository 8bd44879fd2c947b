"""The 政策匹配 and 部门职责 tabs' pure parts and handlers (ui/match.py, ui/duties.py, ui/downloads.py)."""
from __future__ import annotations

import os
import time
from pathlib import Path

from rag.service import AssistantService
from tests.fakes.assistant import FakeAssistant
from ui import chat as ui_chat
from ui import downloads
from ui.duties import duties_html, run_duties, run_tasks, tasks_html
from ui.match import match_html, run_match

EVIL = "<img src=x onerror=alert(1)>"


def measure(**over):
    m = {"kind": "品牌", "city": "东莞", "title": "方案", "clause": "二、(一)1.", "heading": "品牌", "quotes": [f"支持{EVIL}企业"],
         "units": "责任单位:市质监局", "why": ["地区:东莞", "行业:家具"], "lacks": []}
    return {**m, **over}


def test_match_html_escapes_everything_and_lists_the_apart_ones_with_what_they_lack():
    contract = {"summary": "东莞 · 家具", "counts": {"measures": 1, "apart": 1}, "documents": [{}],
                "groups": [{"kind": "品牌", "measures": [measure()]}], "apart": [measure(lacks=["需为出口企业"])],
                "notes": [f"注意{EVIL}"]}
    page = match_html(contract)
    assert EVIL not in page and "&lt;img" in page
    assert "id='zc-match-table'" in page and "id='zc-match-apart'" in page and "需为出口企业" in page
    assert "行业:家具" in page and "适用措施 1 项" in page
    empty = match_html({**contract, "groups": [], "apart": [], "counts": {"measures": 0, "apart": 0}})
    assert "没有找到适用的扶持措施" in empty


def test_duty_and_task_html_escape_and_mark_leading_roles_bold():
    row = {"doc_id": "d", "city": "汕头", "title": "计划", "clause": "一、(一)", "heading": "标准", "role": "牵头",
           "named_as": "市質監局", "task": f"推动{EVIL}", "deadlines": ["到2015年"], "figures": ["100項以上"]}
    page = duties_html({"unit": "质监局", "place": None, "rows": [row, {**row, "role": "配合"}],
                        "counts": {"牵头": 1, "配合": 1}, "notes": ["注"]})
    assert EVIL not in page and "<b>牵头</b>" in page and "<b>配合</b>" not in page and "全部地区" in page
    matrix = tasks_html({"city": "汕头", "title": "计划", "units": [{"name": "市質監局"}, {"name": EVIL}],
                         "rows": [{"clause": "一、(一)", "heading": "标准", "roles": {"市質監局": "牵头", EVIL: "配合"}}]})
    assert EVIL not in matrix and "<td><b>牵头</b></td>" in matrix and "<td>配合</td>" in matrix


def test_downloads_are_saved_under_their_names_and_old_ones_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "ROOT", tmp_path / "dl")
    path = downloads.save(b"data", "职责清单/质监局 表.xlsx")
    assert os.path.basename(path) == "职责清单_质监局_表.xlsx" and Path(path).read_bytes() == b"data"
    old = downloads.save(b"old", "a.csv")
    os.utime(os.path.dirname(old), (0, 0))
    downloads.prune(now=time.time())
    assert os.path.exists(path) and not os.path.exists(old)


def test_without_an_index_the_tabs_say_so_and_offer_no_file():
    service = AssistantService(FakeAssistant())                       # the fake holds no index snapshot
    page, csv_path, xlsx_path = run_match(service, "东莞家具厂", None, None, None, False, None, None, [], [])
    assert "⚠" in page and "no index snapshot" in page and csv_path is None and xlsx_path is None
    assert run_duties(service, "质监局", None)[1:] == (None, None)
    assert "请先选择一份文件" in run_tasks(service, None)[0]


def test_a_refused_profile_is_a_warning_not_a_failure():
    page, *_ = run_match(AssistantService(FakeAssistant()), "", None, None, None, False, None, None, [], [])
    assert "⚠" in page and "profile is empty" in page


def test_the_page_has_three_tabs_and_still_one_public_endpoint():
    demo = ui_chat.build_ui(AssistantService(FakeAssistant()))
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"zc-tab-chat", "zc-tab-match", "zc-tab-duties", "zc-match-run", "zc-duty-run", "zc-tasks-run"} <= ids
    assert list(demo.get_api_info()["named_endpoints"]) == ["/ask"]
