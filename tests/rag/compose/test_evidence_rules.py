"""How a term of the ask is found in a clause (rag/compose/evidence.py `occurs`): as written, a
four-character compound as its two words close together, or one of a wording's alternatives."""
from __future__ import annotations

import pytest

from rag.compose.evidence import coverage, occurs


@pytest.mark.parametrize("term,text,found", [
    pytest.param("培训", "开展质量培训", True, id="as written"),
    pytest.param("质量培训", "鼓励企业开展质量、标准等基础知识培训", True, id="a compound as its two words, close"),
    pytest.param("工程质量", "实施优质制造工程。" + "其他内容" * 10 + "提升质量水平", False, id="… but not far apart"),
    pytest.param("质量培训", "培训质量", False, id="… and in their order"),
    pytest.param("融资授信|质押 融资|普惠金融", "发展普惠金融", True, id="one alternative of a wording"),
    pytest.param("质押 融资", "支持品牌资产质押融资", True, id="an alternative of two tokens, both there"),
    pytest.param("质押 融资", "质押", False, id="… not when one is missing"),
    pytest.param("空气炸锅", "家用电器", False, id="absent"),
])
def test_occurs(term, text, found):
    assert occurs(term, text) is found


def test_alternatives_weigh_as_one_term():
    terms = {"融资授信|质押 融资|普惠金融": 2.0, "品牌": 2.0}
    assert coverage("发展普惠金融", terms) == 0.5 and coverage("品牌与普惠金融", terms) == 1.0
