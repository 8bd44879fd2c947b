"""Understanding a question: normalise, find cities (Chinese, pinyin, English), foreign places,
the kind of question, the unit a duty question is about, and resolve follow-ups.

Everything is derived from the index (its cities) and the gazetteer, so a new city's documents
are recognised without code changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.catalog import IndexSnapshot
from index.gazetteer import find_places, lookup, places
from index.models import NATIONAL
from index.text import normalise
from rag.types import DeclineReason, Filters, Kind, Query

_NATIONAL_ALIASES = (NATIONAL, "国家层面", "国家级", "质量强国", "建设纲要", "纲要", "国务院", "中共中央", "national", "nationwide", "china")
_INJECTION = re.compile(
    r"忽略.{0,12}(指令|规则|提示|要求|设定)|无视.{0,12}(指令|规则)|(系统|system)\s*(提示词|prompt)|提示词原样|"
    r"ignore\s+(all\s+|any\s+)?(previous|prior|above|the)?\s*(instructions|rules)|jailbreak|developer\s+mode|"
    r"你现在(是|扮演)|扮演.{0,6}(角色|助手)|disregard\s+(all|previous)", re.I)
_KIND_RULES: list[tuple[Kind, re.Pattern[str]]] = [
    (Kind.COMPARE, re.compile(r"各地|各市|哪些城市|哪些地方|哪几个城市|分别|对比|比较|异同|不同城市|compare|which cities|each city", re.I)),
    (Kind.DUTY, re.compile(r"(牵头|负责|承担|主管)(了)?(哪些|什么|那些)(工作|任务|事项|事)?|职责(是|有)|哪些(工作|任务)由|what (does|is) .{0,40}responsible for|duties", re.I)),
    (Kind.WHO_LEADS, re.compile(r"牵头|负责|责任单位|责任部门|主管|哪些部门|哪个部门|哪些单位|哪个单位|什么部门|谁来|由谁|会同|who|which (department|unit|agenc)|responsible|in charge|lead", re.I)),
    (Kind.TARGET, re.compile(r"目标|多少|达到|比例|比重|覆盖率|合格率|几家|几个|几项|%|百分|how many|how much|target|rate", re.I)),
    (Kind.SUPPORT, re.compile(r"资金|补贴|补助|奖励|奖金|税|优惠|扶持|融资|贷款|信贷|授信|财政|基金|专项|认证|支持|政策|fund|tax|subsid|grant|loan|financ|certif|support", re.I)),
]
# Words that frame a question rather than name its subject: they occur in the units parenthesis
# of nearly every clause (负责, 责任单位) or ask for a comparison (各地, 分别), so they only add noise.
_FRAMING = re.compile(r"由?(哪些|哪个|什么|哪几个)(部门|单位|城市|地方)|责任单位|责任部门|牵头单位|分别|各地|各市|"
                      r"有哪些|是哪些|是什么|是多少|有没有|多少|是否|请问|负责|[??]")
_UNIT = re.compile(r"((?:市|省|国家)?[\u4e00-\u9fff]{1,10}?(?:局|委员会|委|办公室|办|海关|厅|总局|中心|部))")
_FOLLOWUP = re.compile(r"^(那么?|那|还有|and|what about|how about|又|再)|呢[??]?$|^(它|其|该|这|那)(个|项|条|些)?", re.I)
_PRONOUN = re.compile(r"(它|其|该项|该条|这项|这条|这个|上述|上面|this|that|it)", re.I)
_FILLER = re.compile(r"那么?|呢|还有|又|再|的|情况|怎样|怎么样|如何|what about|how about|and|[??,,。.!!\s]", re.I)


@dataclass
class CityIndex:
    """The cities the corpus covers and every way a question may name them.

    The aliases are compiled once (per snapshot, and again only if the table changes) into one
    regular expression, so `find` is one pass over the question, not one search per alias."""

    aliases: dict[str, str] = field(default_factory=dict)   # alias (lower) -> city short name
    provinces: set[str] = field(default_factory=set)         # provinces of covered cities
    _compiled: tuple[int, re.Pattern[str], re.Pattern[str], dict[str, int], frozenset[str]] | None = \
        field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_snapshot(cls, snap: IndexSnapshot) -> "CityIndex":
        out = cls()
        for doc in snap.documents.values():
            if doc.city is None:
                for alias in _NATIONAL_ALIASES:
                    out.aliases[alias] = NATIONAL
                continue
            place = lookup(doc.city)
            for alias in {doc.city, doc.city + "市", place.pinyin if place else ""} - {""}:
                out.aliases[alias.lower()] = doc.city
            if doc.region:
                out.provinces.add(doc.region)
        out._tables()
        return out

    def _tables(self) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int], frozenset[str]]:
        """(finder, remover, alias -> rank in the old longest-first order, covered cities)."""
        if self._compiled is None or self._compiled[0] != len(self.aliases):
            ordered = sorted(self.aliases, key=len, reverse=True)      # stable: ties keep table order
            alts = [rf"(?<![a-z]){re.escape(a)}(?![a-z])" if a.isascii() else re.escape(a) for a in ordered]
            # a lookahead finds every alias at every position, overlapping ones included
            finder = re.compile("(?=(" + "|".join(alts) + "))") if alts else re.compile(r"(?!x)x")
            remover = re.compile("|".join(map(re.escape, ordered))) if ordered else re.compile(r"(?!x)x")
            self._compiled = (len(self.aliases), finder, remover, {a: i for i, a in enumerate(ordered)},
                              frozenset(self.aliases.values()))
        return self._compiled[1:]

    def find(self, text: str) -> list[str]:
        """Covered cities the text names, longest alias first (as a scan of the aliases would)."""
        finder, _, rank, _ = self._tables()
        hits = {m.group(1) for m in finder.finditer(text.lower())}
        found: list[str] = []
        for alias in sorted(hits, key=rank.__getitem__):
            if self.aliases[alias] not in found:
                found.append(self.aliases[alias])
        return found

    def strip(self, text: str) -> str:
        """The text without any alias."""
        return self._tables()[1].sub("", text)

    def covered(self) -> frozenset[str]:
        return self._tables()[3]

    def foreign(self, text: str, covered: list[str]) -> list[str]:
        """Places the question names that the corpus does not cover (provinces of covered
        cities and the covered cities themselves excepted)."""
        out = []
        cities = self.covered()
        for p in find_places(text):
            if p.short in covered or p.short in cities or p.name in self.provinces:
                continue
            out.append(p.name)
        return out + _foreign_pinyin(text, self)


def _foreign_pinyin(text: str, cities: CityIndex) -> list[str]:
    """Prefecture-level cities named in pinyin/English (e.g. 'Shenzhen') that are not covered."""
    words = set(re.findall(r"[a-z]{4,}", text.lower()))
    if not words:
        return []
    return [p.name for p in places() if p.is_prefecture and p.pinyin in words and p.pinyin not in cities.aliases]


def classify(text: str) -> Kind:
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    return Kind.LOOKUP


def find_unit(text: str, cities: list[str]) -> str | None:
    """The unit a duty question is about: the first unit-like name, without the city prefix."""
    probe = text
    for city in cities:
        probe = probe.replace(city + "市", " ").replace(city, " ")
    m = _UNIT.search(probe)
    return m.group(1) if m else None


def resolve_followup(text: str, history: list[tuple[str, str]], cities: CityIndex) -> tuple[str, bool]:
    """Rewrite a follow-up into a standalone question using the previous user turn."""
    if not history:
        return text, False
    previous = normalise(history[-1][0])
    new_cities = cities.find(text)
    rest = _FILLER.sub("", text)
    rest = cities.strip(rest)
    if new_cities and len(rest) <= 3:                       # "那东莞呢?"
        old = cities.find(previous)
        rewritten = previous
        for city in old:
            for alias in (city + "市", city):
                rewritten = rewritten.replace(alias, new_cities[0])
        if not old:
            rewritten = f"{new_cities[0]}{previous}"
        return rewritten, True
    if _PRONOUN.search(text) or (_FOLLOWUP.search(text) and len(rest) <= 8):   # "它的牵头单位是谁?"
        return f"{previous} {text}", True
    return text, False


def understand(question: str, history: list[tuple[str, str]] | None, snap: IndexSnapshot,
               filters: Filters | None = None, cities: CityIndex | None = None) -> Query:
    cities = cities or CityIndex.from_snapshot(snap)
    typed = normalise(question).strip()
    text, rewritten = resolve_followup(typed, list(history or []), cities)
    found = cities.find(text)
    query = Query(raw=question, text=text, search=_FRAMING.sub(" ", text).strip(), kind=classify(typed if rewritten and classify(typed) != Kind.LOOKUP else text),
                  rewritten_from=question if rewritten else None)
    query.filters = Filters(cities=list((filters.cities if filters and filters.cities else found)),
                            doc_ids=list(filters.doc_ids) if filters else [])
    if query.kind == Kind.COMPARE:
        query.filters.cities = list(filters.cities) if filters and filters.cities else []
    query.foreign_places = cities.foreign(text, found)
    if query.kind == Kind.DUTY:
        query.unit = find_unit(text, found)
    if _INJECTION.search(question) or _INJECTION.search(text):
        query.refuse_reason = DeclineReason.INJECTION
    elif query.foreign_places and not found:
        query.refuse_reason = DeclineReason.FOREIGN_PLACE
    return query
