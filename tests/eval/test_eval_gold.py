from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import GoldFormatError, load_gold, parse_gold

GOOD = {"id": "a", "question": "谁?", "type": "who_leads", "evidence": [["甲"]], "answer_keys": [["乙", "丙"]]}


def line(**changes) -> str:
    obj = {**GOOD, **changes}
    return json.dumps({k: v for k, v in obj.items() if v is not ...}, ensure_ascii=False)


def test_dev_set_loads():
    gold = load_gold(Path(__file__).resolve().parents[2] / "eval" / "gold_dev.jsonl")
    assert len(gold) == 30
    assert sum(q.should_refuse for q in gold) == 3
    assert any(q.warnings == ["damaged_source"] for q in gold)


def test_optional_fields_and_blank_lines():
    q = parse_gold(["", line(history=[["u", "a"]], expect="refuse", warnings=["damaged_source"]), " "])[0]
    assert q.history == [("u", "a")] and q.should_refuse and q.warnings == ["damaged_source"]


@pytest.mark.parametrize("bad,words", [
    ("{not json", ["line 2", "not valid JSON"]),
    (line(evidence=["甲"]), ["line 2", "'evidence'", "list of items"]),
    (line(answer_keys=[[]]), ["'answer_keys'"]),
    (line(answer_keys=[[""]]), ["'answer_keys'"]),
    (line(type="who"), ["'type'", "who_leads", "refuse"]),
    (line(expect="decline"), ["'expect'", "refuse"]),
    (line(question=...), ["missing field", "question"]),
    (line(history=[["only user"]]), ["'history'", "pairs"]),
    (line(warnings="damaged_source"), ["'warnings'"]),
    (line(id="first"), ["'id'", "repeats line 1"]),
    ("[1, 2]", ["JSON object"]),
])
def test_errors_name_line_and_field(bad, words):
    with pytest.raises(GoldFormatError) as e:
        parse_gold([line(id="first"), bad], source="g.jsonl")
    for w in words:
        assert w in str(e.value)
    assert str(e.value).startswith("g.jsonl, line 2: ")


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "e.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="no questions"):
        load_gold(tmp_path / "e.jsonl")
    with pytest.raises(GoldFormatError, match="not found"):
        load_gold(tmp_path / "nope.jsonl")


def test_unknown_field_is_noted_not_fatal(capsys):
    assert parse_gold([line(source="x")])[0].id == "a"
    assert "unknown field(s) source" in capsys.readouterr().err
