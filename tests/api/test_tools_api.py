"""The tools over HTTP (api/tools.py) on the real index: JSON, CSV and XLSX, bad requests."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from api.app import create_api
from api.guard import Access
from tests.fakes.serving import http_client, serve

pytestmark = pytest.mark.model
FURNITURE = "我们是东莞的一家家具厂,80人,出口为主,想做品牌、参与标准制定"


@pytest.fixture(scope="module")
def url(assistant) -> Iterator[str]:
    with serve(create_api(assistant)) as base:
        yield base


def test_match_as_json_lists_measures_by_kind_with_quotes(url):
    with http_client(url) as c:
        body = c.post("/api/match", json={"text": FURNITURE}).json()
    assert body["summary"].startswith("东莞 · 家具 · 小型(80人)") and body["counts"]["measures"] > 10
    assert [g["kind"] for g in body["groups"]][:2] == ["品牌", "标准"]
    first = body["groups"][0]["measures"][0]
    assert set(first) >= {"doc_id", "clause", "quotes", "units", "conditions", "why", "kind"} and first["quotes"]


def test_form_fields_alone_and_with_the_text(url):
    with http_client(url) as c:
        alone = c.post("/api/match", json={"city": "中山", "trade": "灯饰", "size": "小型", "wants": ["融资"]}).json()
        both = c.post("/api/match", json={"text": FURNITURE, "city": "中山"}).json()
    assert alone["profile"]["trades"] == ["照明灯饰"] and alone["profile"]["wants"] == ["融资/保险"]
    assert both["profile"]["city"] == "中山" and both["profile"]["trades"] == ["家具"]


def test_match_downloads(url):
    with http_client(url) as c:
        x = c.post("/api/match?format=xlsx", json={"text": FURNITURE})
        v = c.post("/api/match?format=csv", json={"text": FURNITURE})
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats") and "attachment" in x.headers["content-disposition"]
    assert unquote(x.headers["content-disposition"].split("UTF-8''")[1]) == "政策匹配.xlsx"
    assert load_workbook(io.BytesIO(x.content)).sheetnames == ["适用措施", "需补充条件"]
    rows = list(csv.reader(io.StringIO(v.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["表", "类别", "城市"] and rows[1][0] == "适用措施"


@pytest.mark.parametrize("body, status, says", [
    ({}, 400, "the profile is empty"),
    ({"txt": "x"}, 400, "Unrecognized request argument supplied: txt"),
    ({"text": "质" * 2001}, 400, "text has 2001 characters"),
    ({"text": "东莞家具", "employees": -1}, 400, "employees must be between 0"),
    ({"text": "东莞家具", "wants": "品牌"}, 400, "wants"),
])
def test_bad_profiles_are_400_naming_the_field(url, body, status, says):
    with http_client(url) as c:
        r = c.post("/api/match", json=body)
    assert r.status_code == status and says in r.json()["error"]["message"]
    assert "质质质" not in r.text                                     # never echoed


def test_duties_json_and_xlsx_a_sheet_per_document(url):
    with http_client(url) as c:
        body = c.get("/api/duties", params={"unit": "质监局", "place": "汕头"}).json()
        x = c.get("/api/duties", params={"unit": "市场监管局", "format": "xlsx"})
    assert body["unit"] == "质监局" and body["place"] == "汕头" and body["counts"]["牵头"] > 5
    assert {r["city"] for r in body["rows"]} == {"汕头"} and all(r["task"] for r in body["rows"])
    book = load_workbook(io.BytesIO(x.content))
    assert len(book.sheetnames) == 4 and all(ws.freeze_panes == "C2" for ws in book.worksheets)


def test_document_tasks_and_errors(url):
    with http_client(url) as c:
        body = c.get("/api/documents/002_52e94fd8620b1e06/tasks").json()
        missing = c.get("/api/documents/nope/tasks")
        bad = c.get("/api/documents/002_52e94fd8620b1e06/tasks", params={"format": "pdf"})
        no_unit = c.get("/api/duties")
    assert body["city"] == "东莞" and body["units"] and all(r["roles"] for r in body["rows"])
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert bad.status_code == 400 and "json|csv|xlsx" in bad.json()["error"]["message"]
    assert no_unit.status_code == 400 and "?unit=" in no_unit.json()["error"]["message"]


def test_the_api_key_guards_the_tools_too(assistant):
    with serve(create_api(assistant, access=Access(api_key="k3y"))) as base, http_client(base) as c:
        assert c.get("/api/duties", params={"unit": "人社局"}).status_code == 401
        assert c.get("/api/duties", params={"unit": "人社局"}, headers={"Authorization": "Bearer k3y"}).status_code == 200
