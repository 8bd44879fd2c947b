"""Shared fixtures of the index tests: a one-document corpus and settings under a temp dir."""
from __future__ import annotations

import shutil

import pytest

from rag.settings import Settings
from tests.conftest import ROOT

ZS = ROOT / "corpus" / "002_52e94fd8620b1e06.txt"
HR = ROOT / "corpus" / "003_7d53d9be34cd3e37.txt"


@pytest.fixture()
def env(tmp_path):
    """(settings, docs dir) with one document (002) copied into the docs dir."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ZS, docs / ZS.name)
    return Settings(data_dir=tmp_path / "data", corpus_dir=docs), docs
