"""Asks run side by side (no global lock): the answers under concurrency are the answers asked
one at a time, and the load script drives a live server without errors."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from eval.load import require_loopback, run_load
from tests.hostile.cases import NORMAL

QUESTIONS = [
    NORMAL, "东莞市工业产品质量监督抽查合格率的目标是多少?", "汕頭市政府質量獎評審管理辦法由哪些部門牽頭完善?",
    "各地对首席质量官制度分别由哪些部门负责?", "质量强国建设纲要提出用什么制度为新产品新业态提供容错纠错空间?",
    "深圳市对获得中国质量奖的企业奖励多少钱?",
]


def _key(answer):
    return answer.answer, [(c.clause.doc_id, c.clause.clause_id) for c in answer.citations]


def test_concurrent_answers_equal_sequential_ones(assistant):
    sequential = [_key(assistant.ask(q)) for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda q: _key(assistant.ask(q)), QUESTIONS * 2))
    assert concurrent == sequential * 2


def test_load_script_against_the_live_server(live):
    result = run_load(live, clients=4, questions_per_client=3, questions=QUESTIONS)
    assert len(result.latencies_ms) == 12 and not result.errors, result.summary()


def test_load_script_refuses_other_hosts():
    with pytest.raises(ValueError, match="loopback"):
        require_loopback("http://10.0.0.1:7860")
    assert require_loopback("http://127.0.0.1:7860/") == "http://127.0.0.1:7860"
