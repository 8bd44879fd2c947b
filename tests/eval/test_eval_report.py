from __future__ import annotations

import json

from eval_helpers import QUESTIONS, FakeAsker, clause_text

from eval.report import LATENCY_PNG, RECALL_PNG, write_report
from eval.runner import ConfigRun, run_config
from eval.table import format_table, metrics_json


def fake_runs() -> list[ConfigRun]:
    good = run_config("good", FakeAsker(), QUESTIONS, clause_text)
    flaky = run_config("flaky", FakeAsker(fail_on="追问"), QUESTIONS, clause_text)
    return [good, flaky, ConfigRun("hybrid", unavailable="ImportError: no rag.pipeline")]


def test_report_lists_every_question_and_writes_plots(tmp_path):
    paths = write_report(tmp_path / "out", fake_runs(), "gold.jsonl")
    names = {p.name for p in paths}
    assert names == {"report.md", "metrics.json", RECALL_PNG, LATENCY_PNG}
    for png in (RECALL_PNG, LATENCY_PNG):
        assert (tmp_path / "out" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    for q in QUESTIONS:
        assert md.count(f"#### {q.id} — ") == 2            # once per configuration that ran
    assert "#### d — FAIL" in md and "#### a — PASS" in md
    assert "declined an answerable question" in md
    assert "error: RuntimeError: boom" in md
    assert "cites 000 三、(一)" in md and "keys `市商务局`" in md
    assert "Unavailable: ImportError" in md
    assert f"]({RECALL_PNG})" in md
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["good"]["answer_accuracy"] == 0.75


def test_table_has_a_column_per_configuration_and_a_row_per_metric():
    table = format_table(fake_runs()).splitlines()
    assert table[0].split() == ["metric", "good", "flaky", "hybrid"]
    assert len(table) == 14
    accuracy = dict(zip(["good", "flaky", "hybrid"], table[1].split()[1:]))
    assert accuracy == {"good": "0.750", "flaky": "0.500", "hybrid": "—"}
    assert table[10].split() == ["false_refusals", "1", "1", "—"]


def test_json_is_flat_for_one_configuration_and_nested_for_several():
    runs = fake_runs()
    assert metrics_json(runs[:1])["answer_accuracy"] == 0.75
    nested = metrics_json(runs)
    assert set(nested) == {"good", "flaky", "hybrid"} and nested["hybrid"]["mrr"] is None
    assert set(nested["good"]) >= {"recall@10", "latency_p95_ms", "warning_recall"}


def test_accuracy_by_type_table():
    from eval.report import by_type

    lines = by_type(fake_runs())
    assert lines[0] == "| type | good | flaky |"
    assert "| refuse | 1/1 | 1/1 |" in lines and "| who_leads | 2/3 | 1/3 |" in lines


def test_question_language():
    from eval.report import question_language

    assert question_language("Which department leads the quality award?") == "en"
    assert question_language("市政府質量獎由哪個部門牽頭?") == "zh-Hant"
    assert question_language("市政府质量奖由哪个部门牵头?") == "zh-Hans"
    assert question_language("QC小组活动由谁负责?") == "zh-Hans"      # a few Latin letters do not make it English


def test_accuracy_by_language_table():
    from eval.gold import GoldQuestion
    from eval.report import by_language

    questions = [
        *QUESTIONS,
        GoldQuestion(id="e", question="Who leads the chief quality officer system?", type="who_leads",
                     evidence=[], answer_keys=[["市商务局"]]),
        GoldQuestion(id="t", question="首席質量官制度由誰負責?", type="who_leads", evidence=[], answer_keys=[["市商務局"]]),
    ]
    runs = [run_config("good", FakeAsker(), questions, clause_text),
            run_config("flaky", FakeAsker(fail_on="追问"), questions, clause_text),
            ConfigRun("hybrid", unavailable="no")]
    lines = by_language(runs)
    assert lines[0] == "| language | good | flaky |"
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["zh-Hans", "zh-Hant", "en"]
    assert "| zh-Hans | 3/4 | 2/4 |" in lines
    assert "| zh-Hant | 1/1 | 1/1 |" in lines and "| en | 1/1 | 1/1 |" in lines


def test_cli_prints_the_breakdowns_before_the_metrics_table(monkeypatch, capsys):
    import argparse

    import eval.cli as cli

    monkeypatch.setattr(cli, "run_all", lambda args: fake_runs())
    args = argparse.Namespace(url=None, config=None, report=None, json=False, gold="g.jsonl")
    assert cli.cmd_run(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-14:] == format_table(fake_runs()).splitlines()       # `tail -n 15` still shows the table
    assert out[-15].startswith("passed ")
    assert "| who_leads | 2/3 | 1/3 |" in out and "| zh-Hans | 3/4 | 2/4 |" in out
