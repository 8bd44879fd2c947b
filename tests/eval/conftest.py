"""Fixtures of the harness tests."""
from __future__ import annotations

import pytest

CLAUSES = {
    ("001", "二、(一)"): "完善市政府質量獎評審管理辦法,進一步提升獎項的權威性。(市質監局牽頭)",
    ("000", "三、(一)"): "推行企业首席质量官制度。(市市场监管局、市商务局按职责分工负责)",
}


@pytest.fixture
def clause_text():
    return lambda doc_id, clause: CLAUSES.get((doc_id, clause))
