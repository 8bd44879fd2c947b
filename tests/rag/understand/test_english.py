"""English questions -> the corpus's Chinese terms: the glossary validates and points at words
the corpus holds, CC-CEDICT fills the gaps within the index vocabulary only, and lexical
retrieval on the real index finds the expected clause for English probes."""
from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import pytest

from index.document import parse_document
from index.loaders import load
from rag.understand.english import EnglishBridge, Glossary, cedict_entries, is_english, stem, words

ROOT = Path(__file__).resolve().parents[3]
PROBES = Path(__file__).with_name("data") / "english_probe.jsonl"


@lru_cache(maxsize=1)
def corpus_text() -> str:
    norms = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        norms += [c.norm for c in parse_document(load(path)).clauses]
    return "\n".join(norms)


# A small vocabulary stands in for the BM25 one in unit tests (the real one is used below).
VOCAB = frozenset(["召回", "计量", "质量", "标准", "认证", "监管", "检测", "产品", "风险", "网络", "改进", "供给", "管理", "提高", "经营", "企业", "服务", "安全"])


@lru_cache(maxsize=1)
def bridge() -> EnglishBridge:
    return EnglishBridge(vocabulary=VOCAB)


def test_the_glossary_loads_and_is_broad() -> None:
    glossary = Glossary.load()
    assert len(glossary.entries) >= 500
    assert glossary.max_words >= 4


def test_every_glossary_term_occurs_in_the_corpus() -> None:
    text = corpus_text()
    missing = [t for t in Glossary.load().terms() if t not in text]
    assert not missing, f"glossary terms the corpus never writes: {missing}"


@pytest.mark.parametrize("content, message", [
    ("recall\n", "expected 2 tab-separated columns"),
    ("recall\t召回\textra\n", "found 3"),
    ("recall\t召回||缺陷\n", "empty term"),
    ("!!!\t召回\n", "no English words"),
    ("recall\t召 回\n", "white space"),
    ("# nothing\n", "no entries"),
])
def test_a_malformed_glossary_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "glossary.tsv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        Glossary.load(bad)
    assert message in str(err.value) and str(bad) in str(err.value)


def test_word_normalisation() -> None:
    assert words("The People's Bank's quality-safety R&D") == ["the", "people", "bank", "quality", "safety", "r&d"]
    assert [stem(w) for w in ("policies", "standards", "process", "status", "goods")] == \
        ["policy", "standard", "process", "status", "goods"]


@pytest.mark.parametrize("text, expected", [
    ("Which unit must appoint a chief quality officer?", ["首席质量官"]),
    ("Who runs the market regulation bureau?", ["市场监管局"]),
    ("the Quality and Technical Supervision Bureau", ["质监局"]),
    ("recalls of defective products", ["召回", "缺陷产品"]),
    ("energy metering for big factories", ["能源计量"]),
    ("liability insurance", ["责任保险"]),
    ("the 13th Five-Year Plan", ["十三五"]),
    ("loans from the People's Bank", ["融资", "人民银行"]),
    ("housing and urban-rural development", ["住房城乡建设局"]),
    ("inspection and quarantine at the port", ["检验检疫", "口岸"]),
    ("QC groups and trustworthy teams", ["QC小组", "质量信得过班组"]),
    ("brand value evaluation", ["品牌价值评价"]),
    ("e-commerce platforms selling fakes", ["电商平台"]),
    ("elderly care and domestic services", ["养老服务", "家政服务"]),
])
def test_glossary_translation(text: str, expected: list[str]) -> None:
    terms = bridge().to_chinese(text)
    for term in expected:
        assert term in terms, f"{text!r} -> {terms}"


def test_longest_phrase_wins_and_order_follows_the_question() -> None:
    terms = bridge().to_chinese("technical standards strategy, then metrology")
    assert terms[0] == "技术标准战略"
    assert "标准" not in terms[:1]
    assert terms.index("技术标准战略") < terms.index("计量")


def test_output_is_deduplicated_and_stop_words_give_nothing() -> None:
    assert bridge().to_chinese("which of the is are it") == []
    terms = bridge().to_chinese("recall recall recalls")
    assert terms == ["召回"]


def test_cedict_finds_a_word_the_glossary_lacks() -> None:
    glossary = Glossary.load()
    assert ("improve",) not in glossary.entries
    terms = bridge().to_chinese("improving")            # inflected: improving -> improve
    assert "改进" in terms or "提高" in terms


def test_the_vocabulary_really_restricts_cedict() -> None:
    narrow = EnglishBridge(vocabulary={"改进"})
    assert narrow.to_chinese("improve") == ["改进"]
    headwords = {h for hs in narrow.cedict.values() for h in hs}
    assert headwords == {"改进"}
    assert EnglishBridge(vocabulary=set()).to_chinese("improve") == []
    assert EnglishBridge(vocabulary=VOCAB, use_cedict=False).to_chinese("improve") == []


def test_vocabulary_may_be_a_predicate() -> None:
    assert EnglishBridge(vocabulary=lambda w: w == "改进").to_chinese("improve") == ["改进"]


def test_cedict_is_read_once_and_fast() -> None:
    start = time.perf_counter()
    entries = cedict_entries()
    EnglishBridge(vocabulary=VOCAB).cedict
    assert time.perf_counter() - start < 5.0           # ~0.2 s uncontended
    assert len(entries) > 50_000
    assert cedict_entries() is entries


@pytest.mark.parametrize("text, expected", [
    ("Which Dongguan agency is responsible?", True),
    ("东莞哪个部门负责?", False),
    ("What does 质监局 do about recalls?", True),
    ("QC小组在哪里评选?", False),
    ("", False),
])
def test_is_english(text: str, expected: bool) -> None:
    assert is_english(text) is expected


# ---- retrieval on the real index (BM25 only: no model is loaded) -------------------------------

@lru_cache(maxsize=1)
def real_index():
    from index.catalog import load_index
    from index.errors import IndexMissingError
    from rag.settings import Settings
    try:
        return load_index(Settings())
    except IndexMissingError:                            # no index yet in this checkout
        pytest.skip("no index in ./data; run `python -m index build` first")


def _probes() -> list[dict]:
    return [json.loads(line) for line in PROBES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_probe_file_names_real_clauses() -> None:
    text = corpus_text()
    probes = _probes()
    assert len(probes) >= 25
    for probe in probes:
        assert is_english(probe["question"])
        assert probe["doc_id"] and probe["clause"]
    assert text


def test_bridged_english_probes_are_retrieved() -> None:
    from rag.retrieve.retrievers import LexicalRetriever
    from rag.types import Query
    snap = real_index()
    lexical = LexicalRetriever(snapshot=snap)
    bridge_ = EnglishBridge(vocabulary=snap.bm25._bm25.vocab_dict)
    top5_raw = top5_bridged = 0
    probes = _probes()
    for probe in probes:
        def found(search: str) -> bool:
            hits = lexical.retrieve(Query(raw=probe["question"], text=probe["question"], search=search), 5)
            return any(h.doc.doc_id == probe["doc_id"] and h.clause.clause_id == probe["clause"] for h in hits)
        top5_raw += found(probe["question"])
        top5_bridged += found(" ".join(bridge_.to_chinese(probe["question"])))
    assert top5_bridged >= 0.9 * len(probes), f"recall@5 bridged {top5_bridged}/{len(probes)}"
    assert top5_bridged > top5_raw
