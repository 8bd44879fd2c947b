"""The self-check (rag/selfcheck.py): its judging rules on hand-made answers, and its floor on
the seed index and on a small synthetic document built here, through the real pipeline."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag import selfcheck
from rag.selfcheck import Probe, judge
from rag.types import Answer


def answer(*keys: tuple[str, str], answerable: bool = True) -> Answer:
    cites = [SimpleNamespace(clause=SimpleNamespace(doc_id=d, clause_id=c)) for d, c in keys]
    return Answer(answer="", answerable=answerable, citations=cites, meta={"declined": None if answerable else "no_evidence"})


A, B, C = ("d", "一、(一)"), ("d", "一、(二)"), ("d", "二、(一)")

JUDGED = [
    pytest.param(Probe("unit", "q", True, must=frozenset({A, B}), only=True), answer(A, B), True, id="complete and nothing else"),
    pytest.param(Probe("unit", "q", True, must=frozenset({A, B}), only=True), answer(A), False, id="one missing"),
    pytest.param(Probe("unit", "q", True, must=frozenset({A}), only=True), answer(A, C), False, id="one extra"),
    pytest.param(Probe("unit", "q", True, must=frozenset({A}), only=True), answer(A, ("d", "发文")), True,
                 id="the front matter is no extra"),
    pytest.param(Probe("heading", "q", True, any_of=frozenset({A, B})), answer(B, C), True, id="one of the expected"),
    pytest.param(Probe("heading", "q", True, any_of=frozenset({A})), answer(C), False, id="none of the expected"),
    pytest.param(Probe("heading", "q", True, any_of=frozenset({A})), answer(A, answerable=False), False, id="declined"),
    pytest.param(Probe("off_topic", "q", False), answer(answerable=False), True, id="a negative declined"),
    pytest.param(Probe("off_topic", "q", False), answer(A), False, id="a negative answered"),
]


@pytest.mark.parametrize("probe,given,passed", JUDGED)
def test_judge(probe, given, passed):
    assert judge(probe, given).passed is passed


def test_sample_is_even_and_deterministic():
    assert selfcheck.sample(list(range(10)), 3) == [0, 3, 6] and selfcheck.sample([1, 2], 5) == [1, 2]


FLOOR = 0.95


def rates(report):
    return {name: passed / asked for name, (passed, asked) in report.by_template().items()}


@pytest.mark.model
def test_the_seed_index_passes_every_template(assistant):
    report = selfcheck.run(assistant.components.snapshot, assistant.ask)
    assert set(rates(report)) == {"heading", "heading_bare", "topic", "goals", "unit_written", "unit_short", "unit_successor",
                                  "no_document", "off_topic"}
    assert all(r >= FLOOR for r in rates(report).values()), report.to_json()


SYNTHETIC = """江门市质量强市建设实施方案

一、主要目标
到2025年,全市规模以上工业企业质量管理体系认证率达到80%以上,新增省级以上质量奖获奖企业5家。

二、重点任务
(一)推进陶瓷卫浴产业质量提升
开展陶瓷卫浴产品质量比对,建设陶瓷产品检验检测公共服务平台,支持龙头企业牵头制定团体标准。(市工业和信息化局牵头,市市场监督管理局、市科学技术局配合)
(二)加强计量能力建设
建设产业计量测试中心,开展能源计量审查,推动企业完善计量保证体系。(责任单位:市市场监督管理局、市发展和改革局)
(三)培育水产品区域品牌
支持水产品地理标志培育,打造江门鳗鱼区域公共品牌。(责任单位:市农业农村局、市市场监督管理局)

三、保障措施
(一)加大资金投入
统筹安排质量发展资金,对获得省级以上质量奖的企业给予奖励。(责任单位:市财政局)
"""


@pytest.mark.model
def test_a_synthetic_document_passes_every_template(tmp_path):
    from index.build import build_index
    from rag.pipeline import build_assistant
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "jiangmen.txt").write_text(SYNTHETIC, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=docs)
    build_index(settings)
    assistant = build_assistant(settings)
    report = selfcheck.run(assistant.components.snapshot, assistant.ask)
    assert report.by_template()["unit_written"][1] >= 6 and report.by_template()["heading"][1] >= 5
    assert report.by_template()["topic"][1] >= 3          # 计量能力建设, 水产品区域品牌, 资金投入
    assert all(r >= FLOOR for r in rates(report).values()), report.to_json()
