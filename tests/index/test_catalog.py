"""The catalog on disk: JSON Lines written and read a line at a time, the older one-document
format still read, a damaged file reported with what to run, and the memory-sharing rules
(one str per distinct token, a chunk's text shared with its clause)."""
from __future__ import annotations

import json

import pytest

from index.build import build_index
from index.catalog import CATALOG, LEGACY_CATALOG, IndexSnapshot, current_build, load_index
from index.errors import CatalogDamagedError
from tests.fakes.embedder import HashEmbedder


@pytest.fixture()
def built_env(env):
    settings, _ = env
    build_index(settings, embedder=HashEmbedder())
    return settings


def _same(a: IndexSnapshot, b: IndexSnapshot) -> None:
    assert a.build_id == b.build_id and a.embedder == b.embedder
    assert [d.to_dict() for d in a.documents.values()] == [d.to_dict() for d in b.documents.values()]
    assert [c.to_dict() for c in a.chunks] == [c.to_dict() for c in b.chunks]
    assert a.tokens == b.tokens


def test_catalog_is_json_lines_and_round_trips(built_env):
    build = current_build(built_env.index_dir)
    lines = (build / CATALOG).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == 2 and len(lines) == 1 + header["documents"] + header["chunks"]
    snap = load_index(built_env)
    again = IndexSnapshot.from_lines(list(snap.lines()))
    _same(snap, again)


def test_tokens_pooled_and_chunk_text_shared_with_its_clause(built_env):
    snap = load_index(built_env)
    first: dict[str, str] = {}
    for tokens in snap.tokens:
        for t in tokens:
            assert first.setdefault(t, t) is t          # one object per distinct token
    whole = [c for c in snap.chunks if c.text == snap.clause(c.doc_id, c.clause_id).text]
    assert whole and all(c.text is snap.clause(c.doc_id, c.clause_id).text for c in whole)
    assert all(c.search_text is c.embed_text for c in snap.chunks)


def test_older_one_document_catalog_is_still_read(built_env):
    snap = load_index(built_env)
    build = current_build(built_env.index_dir)
    legacy = {"format": 1, "build_id": snap.build_id, "embedder": snap.embedder, "created": snap.created,
              "skipped": [], "documents": [d.to_dict() for d in snap.documents.values()],
              "chunks": [dict(c.to_dict(), tokens=t) for c, t in zip(snap.chunks, snap.tokens)]}
    (build / CATALOG).unlink()
    (build / LEGACY_CATALOG).write_text(json.dumps(legacy, ensure_ascii=False), encoding="utf-8")
    _same(snap, load_index(built_env))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "format"])
def test_damaged_catalog_says_to_rebuild(built_env, damage):
    path = current_build(built_env.index_dir) / CATALOG
    lines = path.read_text(encoding="utf-8").splitlines()
    text = {"truncate": "\n".join(lines[: len(lines) // 2]) + "\n",
            "garbage": lines[0] + "\n{not json\n",
            "empty": "",
            "format": json.dumps({"format": 99}) + "\n"}[damage]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogDamagedError, match="index build --rebuild"):
        load_index(built_env)
    report = build_index(built_env, embedder=HashEmbedder())   # a build over it starts afresh
    assert report.chunks and load_index(built_env).chunks


def test_a_catalog_written_before_the_format_fields_is_still_read(built_env):
    """Documents and clauses of older catalogs have no format / pages / ocr (nor a units deadline):
    they read as a text document, read without OCR."""
    build = current_build(built_env.index_dir)
    lines = (build / CATALOG).read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    old = []
    for i, line in enumerate(lines):
        row = json.loads(line)
        if 1 <= i <= header["documents"]:
            for key in ("format", "pages", "ocr"):
                row.pop(key)
            for c in row["clauses"]:
                c.pop("ocr")
                c["units"].pop("deadline")
        old.append(json.dumps(row, ensure_ascii=False))
    snap = IndexSnapshot.from_lines(old)
    doc = next(iter(snap.documents.values()))
    assert (doc.format, doc.pages, doc.ocr) == ("text", None, False)
    assert not any(c.ocr for c in doc.clauses) and all(c.units.deadline == "" for c in doc.clauses)
