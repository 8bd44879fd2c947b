"""Hostile input and operator mistakes: garbage files, huge files, empty or wrong --docs
directories, and vectors left behind by interrupted builds."""
from __future__ import annotations

import base64
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import __main__ as cli
from index import build as build_module
from index import loaders
from index.build import MAX_REMOVED_SHARE, build_index
from index.catalog import current_build, load_index
from index.errors import BuildRefusedError, IngestError
from index.loaders import load
from index.prose import common_cjk, prose_problem
from index.stores import ChromaStore
from rag.settings import Settings, get_settings
from tests.conftest import ROOT
from tests.fakes.embedder import HashEmbedder

CORPUS = sorted((ROOT / "corpus").glob("*.txt"))
ZS, HR, NATIONAL = (ROOT / "corpus" / n for n in ("002_52e94fd8620b1e06.txt", "003_7d53d9be34cd3e37.txt",
                                                  "004_7576dc47cb756209.txt"))


# -- garbage that must never be indexed --------------------------------------------------------

def random_gb18030(n: int, seed: int = 0) -> bytes:
    """os.urandom-style bytes, with the few invalid sequences and NUL bytes dropped, so that the
    file really decodes as GB18030 (what random bytes very often do)."""
    raw = random.Random(seed).randbytes(n) if seed else os.urandom(n)
    text = raw.decode("gb18030", errors="ignore").replace("\x00", "")
    data = text.encode("gb18030")
    assert data.decode("gb18030") == text
    return data


def write(directory: Path, name: str, data: bytes | str) -> Path:
    path = directory / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_decoding_as_gb18030_are_refused(tmp_path, seed):
    path = write(tmp_path, "random.txt", random_gb18030(60_000, seed))
    with pytest.raises(IngestError, match="not plausibly Chinese or English prose"):
        load(path)


def test_random_gb18030_without_control_characters_is_refused_for_rare_characters(tmp_path):
    text = random_gb18030(60_000).decode("gb18030")
    text = "".join(c for c in text if c.isprintable() or c == "\n")
    with pytest.raises(IngestError, match="rare"):
        load(write(tmp_path, "random.txt", text.encode("gb18030")))


def test_common_characters_at_random_are_refused(tmp_path):
    chars = sorted(common_cjk())
    rng = random.Random(7)
    text = "。\n".join("".join(rng.choice(chars) for _ in range(40)) for _ in range(300))
    with pytest.raises(IngestError, match="form words"):
        load(write(tmp_path, "salad.txt", text))


def test_base64_blob_is_refused(tmp_path):
    blob = base64.b64encode(os.urandom(30_000)).decode()
    with pytest.raises(IngestError, match="unbroken"):
        load(write(tmp_path, "blob.md", blob))


def test_binary_file_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(20_000)
    with pytest.raises(IngestError, match="binary"):
        load(write(tmp_path, "picture.html", png))


def test_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:                  # 6 MB without writing 6 MB
        f.truncate(6 * 1024 * 1024)

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened although it is over the limit")

    monkeypatch.setattr(loaders, "open", no_open, raising=False)
    with pytest.raises(IngestError, match=r"6\.0 MB is over the size limit of 5\.0 MB.*--max-file-mb"):
        load(path)


def test_size_limit_is_configurable(tmp_path):
    big_prose = ZS.read_bytes() * 3
    path = write(tmp_path, "long.txt", big_prose)
    assert load(path, max_bytes=len(big_prose)).text
    with pytest.raises(IngestError, match="over the size limit"):
        load(path, max_bytes=len(big_prose) - 1)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:3])
def test_real_prose_of_the_corpus_passes(path):
    assert prose_problem(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("text", [
    "The State Council issued the Outline for Building a Quality Powerhouse in 2023. " * 20,
    "<p>一、总体要求</p><p>(一)加强质量基础设施建设,提升计量、标准、认证认可水平。</p>" * 10,
    "质量强市建设实施方案\n一、工作目标\n到2025年,全市质量总体水平显著提升,品牌影响力明显增强。",
    "汕頭市質量強市行動計畫:推進品牌建設,提升產品、工程和服務質量(市質監局牽頭)。" * 10,
    "■ 推行ＩＳＯ９００１质量管理体系认证,培育ＡＡＡ级信用企业 → 到２０２５年达到１００家。\n" * 10,
])
def test_prose_in_either_script_and_language_passes(text):
    assert prose_problem(text) is None


def test_build_skips_garbage_and_indexes_the_rest(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ZS, docs / ZS.name)
    write(docs, "random.txt", random_gb18030(20_000))          # under the limit below
    write(docs, "program.htm", b"\x7fELF\x02\x01\x01\x00" + os.urandom(4096))
    write(docs, "big.txt", ZS.read_bytes() * 2)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=docs)
    report = build_index(settings, embedder=HashEmbedder(), max_file_bytes=len(ZS.read_bytes()) + 10)
    reasons = {s["file"]: s["error"] for s in report.skipped}
    assert set(reasons) == {"random.txt", "program.htm", "big.txt"}
    assert "prose" in reasons["random.txt"] and "binary" in reasons["program.htm"]
    assert "size limit" in reasons["big.txt"]
    assert list(load_index(settings).documents) == [ZS.stem]


# -- builds that would wipe the index ------------------------------------------------------------

@pytest.fixture()
def indexed(tmp_path):
    """An index of three documents built from tmp_path/docs: (settings, docs dir, embedder)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in (ZS, HR, NATIONAL):
        shutil.copy(path, docs / path.name)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=docs)
    emb = HashEmbedder()
    build_index(settings, embedder=emb)
    return settings, docs, emb


def _state(settings: Settings, emb: HashEmbedder) -> tuple[str, set[str]]:
    return load_index(settings).build_id, ChromaStore.from_settings(settings, emb.name).ids()


def test_empty_directory_is_refused_and_the_index_kept(indexed, tmp_path):
    settings, _, emb = indexed
    before = _state(settings, emb)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BuildRefusedError, match="holds no documents.*current index \\(3 documents\\) is kept.*--allow-empty"):
        build_index(settings, docs_dir=empty, embedder=emb)
    assert _state(settings, emb) == before
    assert len(load_index(settings).documents) == 3


def test_all_files_rejected_is_refused(indexed, tmp_path):
    settings, _, emb = indexed
    before = _state(settings, emb)
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad, "random.txt", random_gb18030(60_000))
    write(bad, "binary.txt", b"\x00\x01" * 100)
    write(bad, "empty.md", "")
    with pytest.raises(BuildRefusedError, match="all 3 files .* were rejected") as refused:
        build_index(settings, docs_dir=bad, embedder=emb)
    assert {s["file"] for s in refused.value.skipped} == {"random.txt", "binary.txt", "empty.md"}
    assert _state(settings, emb) == before


def test_allow_empty_builds_an_empty_index(indexed, tmp_path):
    settings, _, emb = indexed
    empty = tmp_path / "empty"
    empty.mkdir()
    report = build_index(settings, docs_dir=empty, embedder=emb, allow_empty=True)
    assert report.documents == 0 and load_index(settings).documents == {}
    assert ChromaStore.from_settings(settings, emb.name).ids() == set()


def test_empty_directory_without_any_index_writes_nothing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=empty)
    with pytest.raises(BuildRefusedError, match="Nothing was written"):
        build_index(settings, embedder=HashEmbedder())
    assert current_build(settings.index_dir) is None


def test_removing_most_documents_needs_prune(indexed):
    settings, docs, emb = indexed
    assert MAX_REMOVED_SHARE == 0.5
    before = _state(settings, emb)
    (docs / ZS.name).unlink()
    (docs / HR.name).unlink()                                   # 2 of 3 = 67 % > 50 %
    with pytest.raises(BuildRefusedError, match="(?s)remove 2 of the 3 documents.*--prune"):
        build_index(settings, embedder=emb)
    assert _state(settings, emb) == before
    report = build_index(settings, embedder=emb, prune=True)
    assert list(load_index(settings).documents) == [NATIONAL.stem] and report.removed > 0


def test_removing_a_minority_needs_no_flag(indexed):
    settings, docs, emb = indexed
    (docs / ZS.name).unlink()                                   # 1 of 3
    build_index(settings, embedder=emb)
    assert set(load_index(settings).documents) == {HR.stem, NATIONAL.stem}


def test_corrupted_files_count_as_removed(indexed):
    """Two documents overwritten with garbage: they would be removed, so the build is refused."""
    settings, docs, emb = indexed
    write(docs, ZS.name, random_gb18030(30_000))
    write(docs, HR.name, random_gb18030(30_000, seed=3))
    with pytest.raises(BuildRefusedError, match="2 files rejected") as refused:
        build_index(settings, embedder=emb)
    assert {s["file"] for s in refused.value.skipped} == {ZS.name, HR.name}


@pytest.fixture()
def cli_env(indexed, monkeypatch):
    settings, docs, emb = indexed
    monkeypatch.setenv("ZHICE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ZHICE_CORPUS_DIR", str(docs))
    get_settings.cache_clear()
    yield settings, docs, emb
    get_settings.cache_clear()


def test_cli_refuses_an_empty_directory_with_exit_code_2(cli_env, tmp_path, capsys):
    settings, _, emb = cli_env
    before = _state(settings, emb)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["build", "--docs", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Refusing to build") and "--allow-empty" in err and "kept" in err
    assert _state(settings, emb) == before


def test_cli_lists_rejected_files_when_refusing(cli_env, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad, "random.txt", random_gb18030(60_000))
    assert cli.main(["build", "--docs", str(bad), "--max-file-mb", "1"]) == 2
    err = capsys.readouterr().err
    assert "SKIPPED random.txt: not plausibly Chinese or English prose" in err
    assert "all 1 file in" in err


def test_cli_refusal_in_a_real_process(indexed, tmp_path):
    """The same refusal through `python -m index build` as an operator runs it."""
    settings, docs, emb = indexed
    before = _state(settings, emb)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, ZHICE_DATA_DIR=str(settings.data_dir), ZHICE_CORPUS_DIR=str(docs),
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    done = subprocess.run([sys.executable, "-m", "index", "build", "--docs", str(empty)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Refusing to build" in done.stderr and "--allow-empty" in done.stderr and done.stdout == ""
    assert _state(settings, emb) == before


def test_cli_missing_directory_exits_2(cli_env, tmp_path, capsys):
    assert cli.main(["build", "--docs", str(tmp_path / "no-such-dir")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_rejects_a_bad_size_limit(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["build", "--max-file-mb", "0"])
    assert exited.value.code == 2 and "positive number of megabytes" in capsys.readouterr().err


# -- orphan vectors ---------------------------------------------------------------------------

def test_vectors_of_an_interrupted_build_are_collected(indexed, monkeypatch, tmp_path):
    settings, docs, emb = indexed
    store = ChromaStore.from_settings(settings, emb.name)
    # An interrupted build of a document that is then given up: its vectors are in the store,
    # and no catalog references them.
    extra = tmp_path / "extra"
    shutil.copytree(docs, extra)
    shutil.copy(ROOT / "corpus" / "000_58fb13ce8b7c9571.txt", extra)
    monkeypatch.setattr(build_module, "write_snapshot", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, docs_dir=extra, embedder=emb)
    monkeypatch.undo()
    # And vectors added straight to the store, as a build killed mid-batch would leave them.
    store.add(["orphan-1", "orphan-2"], np.ones((2, emb.dim), dtype=np.float32),
              [{"doc_id": "gone", "clause_id": "x"}] * 2)
    catalog = {c.chunk_id for c in load_index(settings).chunks}
    orphans = store.ids() - catalog
    assert {"orphan-1", "orphan-2"} < orphans and catalog <= store.ids()
    report = build_index(settings, embedder=emb)                 # same corpus as the catalog
    assert store.ids() == {c.chunk_id for c in load_index(settings).chunks}
    assert report.embedded == 0 and report.removed == len(orphans)


class DiesOnSecondBatch:
    """An embedder killed during embedding, after its first batch reached the store."""

    def __init__(self, inner: HashEmbedder) -> None:
        self.inner, self.name, self.batches = inner, inner.name, 0

    def embed(self, texts):
        self.batches += 1
        if self.batches == 2:
            raise KeyboardInterrupt("killed while embedding")
        return self.inner.embed(texts)


def test_build_killed_while_embedding_leaves_no_orphans_after_the_next(indexed, tmp_path, monkeypatch):
    settings, docs, emb = indexed
    monkeypatch.setattr(build_module, "EMBED_BATCH", 16)
    store = ChromaStore.from_settings(settings, emb.name)
    before = _state(settings, emb)
    other = tmp_path / "other"                      # new documents: more than one embedding batch
    other.mkdir()
    for path in CORPUS[:2]:
        shutil.copy(path, other / path.name)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, docs_dir=other, embedder=DiesOnSecondBatch(emb), prune=True)
    assert _state(settings, emb)[0] == before[0]                 # still the old catalog …
    assert store.ids() > before[1]                               # … with orphans in the store
    build_index(settings, embedder=emb)
    assert store.ids() == {c.chunk_id for c in load_index(settings).chunks}


def test_rebuild_also_collects_orphans(indexed):
    settings, _, emb = indexed
    store = ChromaStore.from_settings(settings, emb.name)
    store.add(["orphan"], np.ones((1, emb.dim), dtype=np.float32), [{"doc_id": "gone"}])
    build_index(settings, embedder=emb, rebuild=True)
    assert store.ids() == {c.chunk_id for c in load_index(settings).chunks}
