"""The parts that keep a question's cost flat as the corpus grows, each checked against a brute
force on random data: the grouped compare search, the BM25 filter by index arrays, the per-place
best score, the snapshot's filter tables and the one-pass city finder. No timing here."""
from __future__ import annotations

import random
import re
from itertools import combinations

import numpy as np
import pytest

from rag.retrieve.fusion import top_k
from rag.retrieve.retrievers import LexicalRetriever, allowed, within
from rag.retrieve.strategy import KindAwareStrategy, group_by_place, interleave, matching_places
from rag.types import Filters, Kind, Query
from rag.understand.query import CityIndex
from tests.fakes.corpus import make_doc, make_hit

PLACES = ["中山", "东莞", "怀仁", "汕头", "全国", "阳江", "江门", "吉林"]


def random_hits(rng: random.Random, n: int):
    docs = {p: make_doc(f"d_{i}", city=p) for i, p in enumerate(PLACES)}
    scores = sorted((rng.random() for _ in range(n)), reverse=True)
    return [make_hit(clause_id=f"c{i}", doc=docs[rng.choice(PLACES)], score=s) for i, s in enumerate(scores)]


@pytest.mark.parametrize("seed", range(20))
def test_group_by_place_matches_brute_force(seed):
    rng = random.Random(seed)
    hits = random_hits(rng, rng.randint(0, 40))
    max_places, per_place = rng.randint(1, 6), rng.randint(1, 4)
    groups, further = group_by_place(hits, max_places, per_place)
    # brute force: places ranked by their best hit's score; each place's hits best first
    best = {}
    for h in hits:
        best[h.doc.place] = max(best.get(h.doc.place, -1.0), h.score)
    ranked = sorted(best, key=lambda p: -best[p])
    assert [g[0].doc.place for g in groups] == ranked[:max_places]
    assert further == ranked[max_places:]
    for g in groups:
        mine = sorted((h for h in hits if h.doc.place == g[0].doc.place), key=lambda h: -h.score)[:per_place]
        assert [h.key for h in g] == [h.key for h in mine]
    flat = interleave(groups)
    assert len(flat) == sum(map(len, groups)) and len({h.key for h in flat}) == len(flat)


@pytest.mark.parametrize("seed", range(30))
def test_top_k_of_the_filtered_scores_equals_boolean_mask(seed):
    """The lexical filtered path: top_k over the filter's scores, mapped back to positions."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    scores = rng.choice([0.0, 0.5, 1.0, 2.0], n) * rng.integers(0, 2, n) + rng.random(n) * (seed % 2)
    positions = np.flatnonzero(rng.random(n) < rng.random())
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    k = int(rng.integers(1, 50))
    assert [int(positions[i]) for i in top_k(scores[positions], k)] == top_k(scores, k, mask)
    brute = sorted((i for i in positions if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
    assert top_k(scores, k, mask) == brute


@pytest.mark.parametrize("seed", range(20))
def test_matching_places(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 200)), int(rng.integers(1, 12))
    scores = rng.random(n) * rng.integers(0, 2, n)
    place_of = rng.integers(-1, m, n)
    names = [f"p{i}" for i in range(m)]
    top = scores.max()
    brute = {names[place_of[i]] for i in range(n) if place_of[i] >= 0 and scores[i] > 0 and scores[i] >= 0.5 * top}
    assert matching_places(scores, place_of, names, 0.5) == brute


def test_snapshot_filter_tables_equal_a_scan(snapshot):
    docs = list(snapshot.documents)
    cities = snapshot.places + ["深圳"]
    for filters in [Filters()] + [Filters(cities=list(c)) for r in (1, 2) for c in combinations(cities, r)] + \
            [Filters(doc_ids=[docs[0]]), Filters(cities=[snapshot.documents[docs[0]].place], doc_ids=docs[:2])]:
        brute_docs = [d for d in snapshot.documents if allowed(snapshot, d, filters)]
        assert sorted(snapshot.allowed_docs(filters.cities, filters.doc_ids)) == sorted(brute_docs)
        brute_chunks = [i for i, c in enumerate(snapshot.chunks) if c.doc_id in brute_docs]
        got = within(snapshot, filters)
        assert (got is None) == filters.is_empty()
        if got is not None:
            assert got.tolist() == brute_chunks
    assert [snapshot.places[i] for i in snapshot.chunk_place] == \
        [snapshot.documents[c.doc_id].place for c in snapshot.chunks]


def test_lexical_filter_equals_filtering_the_ranking(snapshot):
    lexical = LexicalRetriever(snapshot=snapshot)
    for city in snapshot.places:
        q = Query(raw="首席质量官制度", text="首席质量官制度", filters=Filters(cities=[city]))
        got = lexical.ranked(q, 5)
        everything = lexical.ranked(Query(raw=q.raw, text=q.text), 10_000)
        brute = [(key, s) for key, s in everything if snapshot.documents[key[0]].place == city][:5]
        assert [k for k, _ in got] == [k for k, _ in brute]


def _old_find(cities: CityIndex, text: str) -> list[str]:
    """Brute force: one search per alias; each city at its first mention, in order of mention."""
    low, first = text.lower(), {}
    for alias, city in cities.aliases.items():
        pattern = rf"(?<![a-z]){re.escape(alias)}(?![a-z])" if alias.isascii() else re.escape(alias)
        at = [m.start() for m in re.finditer(f"(?={pattern})", low)]
        if at:
            first[city] = min(first.get(city, at[0]), at[0])
    return sorted(first, key=first.__getitem__)


def test_city_finder_equals_the_alias_scan(snapshot):
    cities = CityIndex.from_snapshot(snapshot)
    rng = random.Random(7)
    aliases = list(cities.aliases) + ["Zhongshan", "dongguanese", "shantou", "深圳", "广州市"]
    for _ in range(300):
        text = "".join(rng.choice(aliases + ["的", "和", " ", "质量", "x"]) for _ in range(rng.randint(0, 6)))
        assert cities.find(text) == _old_find(cities, text), text
        assert cities.strip(text) == _old_strip(cities, text), text
    assert cities.strip("那东莞市呢") == "那呢"


def _old_strip(cities: CityIndex, text: str) -> str:
    """The regex the automaton replaced: an alternation of the aliases, longest first."""
    ordered = sorted(cities.aliases, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))).sub("", text) if ordered else text


@pytest.mark.parametrize("seed", range(10))
def test_city_finder_on_overlapping_aliases(seed):
    """Aliases inside each other and sharing starts (a hand-made table), pinyin between letters."""
    cities = CityIndex(aliases={"吉林": "吉林", "吉林市": "吉林", "林市": "林市", "长春": "长春", "春市": "春市",
                                "jilin": "吉林", "lin": "林市", "全国": "全国"})
    rng = random.Random(seed)
    pieces = list(cities.aliases) + ["JiLin", "xjilin", "的", "市", " ", "a"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        assert cities.find(text) == _old_find(cities, text), text
        assert cities.strip(text) == _old_strip(cities, text), text


class CountingRetriever:
    def __init__(self, hits):
        self.hits, self.calls = hits, []

    def retrieve(self, query, k, vector=None):
        self.calls.append((query.filters.cities, k))
        return self.hits[:k]


def test_compare_is_one_search_grouped_by_city(snapshot):
    hits = random_hits(random.Random(3), 60)
    retriever = CountingRetriever(hits)
    strategy = KindAwareStrategy(snapshot=snapshot, retriever=retriever, dense=None, max_cities=3, per_city=2)
    q = Query(raw="各地", text="各地首席质量官", kind=Kind.COMPARE)
    got = strategy.retrieve(q)
    assert len(retriever.calls) == 1 and retriever.calls[0][0] == []
    groups, further = group_by_place(retriever.hits[:retriever.calls[0][1]], 3, 2)
    assert got == interleave(groups) and q.more_cities == len(further)


@pytest.mark.parametrize("seed", range(15))
def test_exact_top_equals_brute_force(seed):
    from rag.retrieve.fusion import exact_top

    rng = np.random.default_rng(seed)
    m = rng.normal(size=(int(rng.integers(0, 60)), 8))
    if seed % 3 == 0 and len(m) > 2:
        m[1] = m[0] * 2.0                      # the same direction twice: a tie, broken by row
    v, k = rng.normal(size=8), int(rng.integers(1, 20))
    got = exact_top(m, v, k)
    cos = [float(row @ v / (np.linalg.norm(row) * np.linalg.norm(v))) for row in m]
    brute = sorted(range(len(m)), key=lambda i: (-round(cos[i], 12), i))[:k]
    assert [i for i, _ in got] == brute
    assert all(abs(s - cos[i]) < 1e-9 for i, s in got)
    unit = m / np.linalg.norm(m, axis=1, keepdims=True) if len(m) else m      # the cached form
    assert [i for i, _ in exact_top(unit, v, k, unit_rows=True)] == brute


def test_filtered_dense_search_exact_path_equals_the_store_filter(built, snapshot, monkeypatch):
    """A city's few chunks searched exactly on their fetched vectors give Chroma's `where` answer."""
    import rag.retrieve.retrievers as retrieve_module
    from index.embedders import make_embedder
    from index.stores import ChromaStore
    from rag.retrieve.retrievers import DenseRetriever

    settings = built[0]
    dense = DenseRetriever(snapshot=snapshot, store=ChromaStore.from_settings(settings, snapshot.embedder),
                           embedder=make_embedder(settings), vector_cache_mb=0)
    for city in snapshot.places:
        q = Query(raw="首席质量官制度", text="首席质量官制度", filters=Filters(cities=[city]))
        vector = dense.vector(q)
        exact = dense.ranked(q, 10, vector)
        monkeypatch.setattr(retrieve_module, "EXACT_MAX", -1)      # force Chroma's filtered search
        store = dense.ranked(q, 10, vector)
        monkeypatch.undo()
        assert [k for k, _ in exact] == [k for k, _ in store]
        assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(exact, store))
        assert all(snapshot.documents[d].place == city for (d, _), _ in exact)


@pytest.mark.parametrize("budget_mb,exact_max", [(64.0, 0), (0.05, 0), (64.0, 256), (0.0, 256)])
def test_cached_filter_vectors_equal_the_store_filter(built, snapshot, monkeypatch, budget_mb, exact_max):
    """Filtered questions searched on cached vectors give Chroma's `where` answer: places too wide
    for one fetch (here with EXACT_MAX = 0: every place) loaded at warm-up, small ones (EXACT_MAX =
    256: every place at 1x) on first use; what does not fit the budget is fetched per question
    or goes to Chroma, with the same answer."""
    import rag.retrieve.retrievers as retrieve_module
    from index.embedders import make_embedder
    from index.stores import ChromaStore
    from rag.retrieve.retrievers import DenseRetriever

    settings, embedder = built[0], make_embedder(built[0])
    monkeypatch.setattr(retrieve_module, "EXACT_MAX", exact_max)

    def dense(mb):
        return DenseRetriever(snapshot=snapshot, store=ChromaStore.from_settings(settings, snapshot.embedder),
                              embedder=embedder, vector_cache_mb=mb)
    cached, chroma = dense(budget_mb), dense(0)
    cached.warm_up()
    loaded_at_warm_up = cached.cache.used_bytes
    assert (loaded_at_warm_up > 0) == (exact_max == 0 and budget_mb >= 1)
    monkeypatch.setattr(retrieve_module, "EXACT_MAX", -1)            # the reference: Chroma's filter
    for city in [*snapshot.places, None]:
        cities = [city] if city else [p for p in snapshot.places if p != "全国"]
        q = Query(raw="首席质量官制度", text="首席质量官制度", filters=Filters(cities=cities))
        vector = chroma.vector(q)
        want = chroma.ranked(q, 10, vector)
        monkeypatch.setattr(retrieve_module, "EXACT_MAX", exact_max)
        got = cached.ranked(q, 10, vector)
        monkeypatch.setattr(retrieve_module, "EXACT_MAX", -1)
        assert [k for k, _ in got] == [k for k, _ in want]
        assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(got, want))
    assert cached.cache.used_bytes <= budget_mb * 2**20
    assert (cached.cache.used_bytes > 0) == (budget_mb > 0)          # small filters cached on first use


def test_duty_hits_by_unit_table_equal_the_scan_of_every_clause(snapshot):
    """The per-snapshot unit table finds the same clauses, in the same order, as checking every
    clause of the corpus: for every unit name the corpus lists (and a few written as users do),
    both roles, with and without city filters."""
    from rag.retrieve.strategy import UnitClauses, duty_hits
    from rag.types import Role

    table = UnitClauses(snapshot)
    names = sorted({u for c in snapshot.clauses() for u in c.units.all()}) + ["质监局", "市场监管部门", "人行", "海关"]
    filters = [Filters(), Filters(cities=["东莞"]), Filters(cities=["全国", "中山"]), Filters(cities=["无此地"])]
    checked = 0
    for unit in names:
        for role in (Role.LEAD, Role.ANY):
            for f in filters:
                q = Query(raw=unit, text=unit, kind=Kind.DUTY, unit=unit, role=role, filters=f)
                scan = duty_hits(snapshot, q)
                assert [h.key for h in duty_hits(snapshot, q, table)] == [h.key for h in scan], (unit, role, f)
                checked += bool(scan)
    assert checked > 50


@pytest.mark.parametrize("search_cost", [0, 24, 10**9])
def test_bm25_scores_within_equal_the_full_scores(snapshot, monkeypatch, search_cost):
    """Scoring only a filter's chunks gives the full scoring's numbers for them, for queries of
    the corpus's own words (repeated and unknown tokens too), over random position sets; with
    the binary searches forced (cost 0), chosen by cost, or never used."""
    import index.lexical

    monkeypatch.setattr(index.lexical, "SEARCH_COST", search_cost)
    rng = random.Random(5)
    bm25 = snapshot.bm25
    words = sorted({t for tokens in snapshot.tokens for t in tokens})
    n = len(snapshot.chunks)
    assert bm25._columns_sorted()
    for _ in range(200):
        query = [rng.choice(words) for _ in range(rng.randint(1, 8))] + rng.choice([[], ["不存在的词"], ["质量", "质量"]])
        positions = np.asarray(sorted(rng.sample(range(n), rng.randint(0, min(n, 60)))), dtype=np.int64)
        full = bm25.scores(query)
        assert np.allclose(bm25.scores_within(query, positions), full[positions], rtol=1e-5, atol=1e-6)
    bm25._sorted = False                                   # the fallback path: the same numbers
    positions = np.arange(0, n, 3)
    assert np.allclose(bm25.scores_within(["质量"], positions), bm25.scores(["质量"])[positions])
    bm25._sorted = None


def test_named_heading_lookup_equals_the_scan_of_every_substring(snapshot):
    """The heading written out in a question: per-document headings under a filter, an early stop
    without one, give the clauses the scan of every substring against every heading gave."""
    from index.text import compact
    from rag.retrieve.strategy import NAMED_HEADING, NAMED_LONGEST, named_keys

    def scan(text, filters):
        keys = {(d, c) for n in range(NAMED_HEADING, min(len(text), NAMED_LONGEST) + 1)
                for i in range(len(text) - n + 1) for d, c in snapshot.headings.get(text[i:i + n], ())}
        inside = None if filters.is_empty() else set(snapshot.allowed_docs(filters.cities, filters.doc_ids))
        keys = {k for k in keys if inside is None or k[0] in inside}
        return keys if len(keys) <= 3 else None

    rng = random.Random(11)
    headings = [h for h in snapshot.headings if len(h) <= NAMED_LONGEST]
    filters = [Filters(), *(Filters(cities=[p]) for p in snapshot.places), Filters(cities=["东莞", "中山"])]
    for _ in range(300):
        text = compact("".join(rng.choice([*rng.sample(headings, 2), "的要求是什么", "谁负责", "中山市"])
                               for _ in range(rng.randint(0, 5))))
        for f in filters:
            assert named_keys(text, f, snapshot) == scan(text, f), (text, f)
