"""A rebuild with nothing changed only hashes the files; any change makes it a full build."""
from __future__ import annotations

import shutil

import pytest

from index import build as build_module
from index import lexical
from index.build import build_index
from index.catalog import current_build, load_index
from tests.fakes.embedder import HashEmbedder
from tests.index.conftest import HR


def _forbid(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("a no-change rebuild must not parse, list Chroma or load jieba")

    monkeypatch.setattr(build_module, "read_corpus", boom)
    monkeypatch.setattr(build_module.ChromaStore, "from_settings", boom)
    monkeypatch.setattr(lexical.Tokenizer, "__init__", boom)
    monkeypatch.setattr(build_module, "write_snapshot", boom)


def test_nothing_changed_returns_the_current_build_without_work(env, monkeypatch):
    settings, _ = env
    emb = HashEmbedder()
    first = build_index(settings, embedder=emb)
    assert not first.unchanged and first.chunks_per_s > 0
    listing = sorted(p.name for p in (settings.index_dir / "builds").iterdir())
    _forbid(monkeypatch)
    again = build_index(settings, embedder=emb)
    assert again.unchanged and again.build_id == first.build_id and again.embedded == 0
    assert (again.documents, again.clauses, again.chunks) == (first.documents, first.clauses, first.chunks)
    assert again.per_document == first.per_document
    assert sorted(p.name for p in (settings.index_dir / "builds").iterdir()) == listing
    assert current_build(settings.index_dir).name == first.build_id


@pytest.mark.parametrize("change", ["edit", "add", "remove", "chunking", "embedder", "rebuild"])
def test_any_change_makes_a_full_build(env, change):
    settings, docs = env
    shutil.copy(HR, docs / HR.name)
    emb = HashEmbedder()
    first = build_index(settings, embedder=emb)
    rebuild = False
    if change == "edit":
        (docs / HR.name).write_text(HR.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "add":
        shutil.copy(HR, docs / "copy.txt")
    elif change == "remove":
        (docs / HR.name).unlink()
    elif change == "chunking":
        settings = settings.model_copy(update={"chunk_max_tokens": 64})
    elif change == "embedder":
        emb = HashEmbedder(name="fake-hash-2")
    else:
        rebuild = True
    again = build_index(settings, embedder=emb, rebuild=rebuild)
    assert not again.unchanged and again.build_id != first.build_id
    assert load_index(settings).build_id == again.build_id
