"""An enterprise's profile for policy matching: where it is, its trade, its size, what it has and
what it wants — read from a form, from free text ("我们是东莞的一家家具厂,80人,出口为主,想做品牌、
参与标准制定"), or both (the form's fields win).

    parse_profile(text, places=…) -> Profile
    profile_from_fields(city=…, trade=…, …, text=…, places=…) -> Profile

Rules are about kinds of wording and live in data files: trades in index/data/trades.tsv (GB/T
4754 names and common words), standings in rag/tools/data/standings.tsv, wants in
rag/tools/data/wants.tsv (plus the support kinds' own words), size classes in
rag/tools/data/enterprise_sizes.tsv (the national statistical rules). Nothing here guesses: a size
the text does not give stays unknown, and measures that need it are listed apart.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.models import NATIONAL
from index.support import Phrases, kind_phrases, support_kinds, trades, tsv_rows
from index.text import normalise

DATA = Path(__file__).with_name("data")
SIZES = ("微型", "小型", "中型", "大型")
_SIZE_WORDS = {"微型": "微型", "微企": "微型", "小型": "小型", "小微": "小型", "小企业": "小型", "小厂": "小型",
               "中型": "中型", "中小": "小型", "中小微": "小型", "大型": "大型", "大企业": "大型", "大厂": "大型"}
_ABOVE = re.compile(r"规上|规模以上|限额以上")
_BELOW = re.compile(r"规下|规模以下|限额以下|不是规上|非规上")
_NEGATION = ("不", "没", "没有", "未", "无", "非", "不是", "还没")
_WANT = re.compile(r"想|希望|打算|准备|需要|计划|争取|寻求|要做|要搞|有意|考虑|有哪些|有什么|能享受|能申请|可以申请|怎么")
_CLAUSES = re.compile(r"[^,，。;；!！?？\n]+")
_NUMBER = r"(?<![\d.零一二两三四五六七八九十百千万])(\d{1,12}(?:\.\d{1,6})?|[零一二两三四五六七八九十百千万]{1,12})"
_EMPLOYEES = re.compile(_NUMBER + r"\s{0,3}(?:多|余|来)?\s{0,3}(?:个)?\s{0,3}(?:人|名员工|名职工|名工人|员工|工人)|"
                        r"(?:员工|职工|工人|人数|从业人员)\s{0,3}(?:有|约|大概|共|总共)?\s{0,3}" + _NUMBER)
_REVENUE = re.compile(r"(?:营收|营业收入|销售额|销售收入|产值|主营业务收入|营业额|年收入|收入)\s{0,3}"
                      r"(?:约|大概|有|达|达到|超过|是|在)?\s{0,3}" + _NUMBER + r"\s{0,3}(亿|千万|百万|万)")


@dataclass
class Profile:
    """What matching needs of an enterprise. Unknown = None / empty (never guessed)."""

    city: str | None = None                          # a place of the index (short name); None: national only
    trades: list[str] = field(default_factory=list)  # trade names of index/data/trades.tsv
    size: str | None = None                          # 微型 | 小型 | 中型 | 大型
    above_scale: bool | None = None                  # 规模以上 (限额以上)
    employees: int | None = None
    revenue_wan: float | None = None                 # annual revenue, 万元
    has: list[str] = field(default_factory=list)     # standings (index/data/beneficiaries.tsv titles)
    wants: list[str] = field(default_factory=list)   # kinds of support, in the order asked
    text: str = ""                                   # the free text it was read from, if any
    notes: list[str] = field(default_factory=list)   # what could not be used, said plainly

    def families(self) -> set[str]:
        """The trade families of the profile's trades (传统产业, 消费品 …)."""
        table = trades()
        return {f for t in self.trades if t in table for f in table[t].families}

    def summary(self) -> str:
        """One line for people: 东莞 · 家具 · 小型(80人) · 出口企业 · 想要:品牌、标准."""
        size = self.size or ("规模以上" if self.above_scale else "")
        if self.employees is not None:
            size += f"({self.employees}人)"
        parts = [self.city or "未说明城市", "、".join(self.trades) or "未说明行业", size or "未说明规模",
                 *(["规上"] if self.above_scale and self.size else []), *self.has]
        return " · ".join(parts) + (f" · 想要:{'、'.join(self.wants)}" if self.wants else "")

    def to_contract(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------ lexicons
def _rows(name: str, columns: int) -> list[list[str]]:
    return tsv_rows(DATA / name, columns)


@lru_cache(maxsize=1)
def trade_words() -> Phrases:
    """Every word of trades.tsv (profile-only words too) -> the trade's name."""
    return Phrases((w, t.name) for t in trades().values() for w in (t.name, *t.words, *t.profile_words))


@lru_cache(maxsize=1)
def standing_words() -> Phrases:
    return Phrases((w, title) for title, words in _rows("standings.tsv", 2) for w in words.split("|"))


@lru_cache(maxsize=1)
def want_words() -> Phrases:
    kinds = set(support_kinds())
    rows = _rows("wants.tsv", 2)
    bad = [k for k, _ in rows if k not in kinds]
    if bad:
        raise ValueError(f"{DATA / 'wants.tsv'}: kinds {bad} are not in index/data/support_kinds.tsv")
    own = [(w, k) for k, words in rows for w in words.split("|")]
    return Phrases([*own, *((k, k) for k in kinds)])


@dataclass(frozen=True)
class SizeRule:
    group: str
    employees: tuple[float, ...]     # upper bounds of 微型, 小型, 中型 (empty: not by people)
    revenue: tuple[float, ...]       # the same by 营业收入, 万元
    above_scale: float | None


@lru_cache(maxsize=1)
def size_rules() -> tuple[SizeRule, ...]:
    def bounds(value: str) -> tuple[float, ...]:
        return () if value == "-" else tuple(float(v) for v in value.split("|"))

    return tuple(SizeRule(g, bounds(e), bounds(r), None if a == "-" else float(a))
                 for g, e, r, a in _rows("enterprise_sizes.tsv", 4))


def size_rule(trade_names: Iterable[str]) -> SizeRule:
    """The size rule of the first group (in file order) the trades belong to; "*" otherwise."""
    table = trades()
    groups = {n for t in trade_names if t in table for n in (t, *table[t].families)}
    rules = size_rules()
    return next((r for r in rules if r.group in groups), next(r for r in rules if r.group == "*"))


def size_class(rule: SizeRule, employees: int | None, revenue_wan: float | None) -> str | None:
    """微型 … 大型 by the rule; with both figures the smaller class (大中型 must reach both bounds)."""
    def by(bounds: tuple[float, ...], value: float | None) -> int | None:
        if value is None or not bounds:
            return None
        return next((i for i, b in enumerate(bounds) if value < b), len(bounds))

    found = [i for i in (by(rule.employees, employees), by(rule.revenue, revenue_wan)) if i is not None]
    return SIZES[min(found)] if found else None


# ------------------------------------------------------------------------------ reading text
def parse_profile(text: str, places: Sequence[str] = ()) -> Profile:
    """A profile from free text. `places` are the places of the index (short names), so the city
    is one the index has; a place it lacks is named in the notes."""
    norm = normalise(text).strip()
    own, wanted = _split_wants(norm)
    profile = Profile(text=text)
    profile.city = _city(norm, places, profile.notes)
    profile.trades = trade_words().labels(own) or trade_words().labels(norm)   # 想了解家具行业的政策
    profile.employees = _first_number(_EMPLOYEES, own or norm)
    profile.revenue_wan = _revenue(own)
    profile.size = _size_word(own)
    profile.above_scale = False if _BELOW.search(norm) else (True if _ABOVE.search(norm) else None)
    profile.has = _standings(own)
    profile.wants = _wants(wanted)
    return settle(profile)


def profile_from_fields(*, city: str | None = None, trade: str | None = None, size: str | None = None,
                        above_scale: bool | None = None, employees: int | None = None,
                        revenue_wan: float | None = None, has: Sequence[str] = (), wants: Sequence[str] = (),
                        text: str = "", places: Sequence[str] = ()) -> Profile:
    """A profile from a form (each field optional), on top of what `text` says: a field given wins."""
    profile = parse_profile(text, places) if text.strip() else Profile()
    if city:
        profile.city = _city(normalise(city), places, profile.notes, typed=city)
    if trade:
        found = trade_words().labels(normalise(trade))
        profile.trades = found or profile.trades
        if not found:
            profile.notes.append(f"没有识别出行业“{trade[:20]}”;可以写成国民经济行业分类的名称或常用说法,如 家具、纺织服装、家用电器")
    if size:
        word = _size_word(normalise(size))
        profile.size = word or profile.size
        profile.above_scale = True if _ABOVE.search(size) else profile.above_scale
    profile.above_scale = above_scale if above_scale is not None else profile.above_scale
    profile.employees = employees if employees is not None else profile.employees
    profile.revenue_wan = revenue_wan if revenue_wan is not None else profile.revenue_wan
    profile.has = list(dict.fromkeys([*profile.has, *_standings("|".join(normalise(h) for h in has), negations=False)]))
    profile.wants = list(dict.fromkeys([*profile.wants, *_wants("|".join(normalise(w) for w in wants))]))
    if size and not profile.size and not profile.above_scale:
        profile.notes.append(f"没有识别出规模“{size[:20]}”;可选 微型、小型、中型、大型 或 规上")
    return settle(profile)


def settle(profile: Profile) -> Profile:
    """Size from headcount / revenue when not said in words; 规上 from revenue; a size the figures
    contradict is left as said (the enterprise knows itself better than the 办法's bounds)."""
    rule = size_rule(profile.trades)
    if profile.size is None:
        profile.size = size_class(rule, profile.employees, profile.revenue_wan)
    if profile.above_scale is None and profile.revenue_wan is not None and rule.above_scale is not None:
        profile.above_scale = profile.revenue_wan >= rule.above_scale
    return profile


def _split_wants(norm: str) -> tuple[str, str]:
    """(what it says of itself, what it wants): within each clause, the text from a want word on."""
    own, wanted = [], []
    for clause in _CLAUSES.findall(norm):
        m = _WANT.search(clause)
        if m is None:
            own.append(clause)
        else:
            own.append(clause[:m.start()])
            wanted.append(clause[m.start():])
    return "，".join(own), "，".join(wanted)


def _city(norm: str, places: Sequence[str], notes: list[str], typed: str | None = None) -> str | None:
    cities = [p for p in places if p != NATIONAL]
    found = sorted((norm.find(p), p) for p in cities if p in norm)
    if found:
        return found[0][1]
    from index.gazetteer import find_places

    named = find_places(norm)
    inside = [_prefecture(p) for p in named]                       # 澄海区 -> 汕头
    covered = next((c for c in inside if c in cities), None)
    if covered:
        return covered
    foreign = [p.short for p in named if p.short not in cities]
    if foreign or typed:
        name = foreign[0] if foreign else (typed or "")[:20]
        notes.append(f"索引中没有{name}的政策文件,只列出国家层面的措施")
    return None


@lru_cache(maxsize=1)
def _prefectures() -> dict[str, str]:
    """adcode -> short name, for the prefectures of the gazetteer."""
    from index.gazetteer import places

    return {p.adcode: p.short for p in places() if p.is_prefecture}


def _prefecture(place: Any) -> str:
    """The short name of the prefecture a county or district lies in (itself for a prefecture)."""
    return _prefectures().get(place.adcode[:4] + "0" * (len(place.adcode) - 4), place.short)


def _size_word(norm: str) -> str | None:
    found = Phrases(_SIZE_WORDS.items()).find(norm)
    return found[0].label if found else None


def _chinese_number(value: str) -> float | None:
    digits = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    total, section, number = 0, 0, 0
    for ch in value:
        if ch in digits:
            number = digits[ch]
        elif ch in units:
            unit = units[ch]
            if unit == 10000:
                total, section = (total + section + number) * unit, 0
            else:
                section += (number or 1) * unit
            number = 0
        else:
            return None
    return float(total + section + number)


def _as_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return _chinese_number(value)


def _first_number(pattern: re.Pattern[str], text: str) -> int | None:
    m = pattern.search(text)
    if m is None:
        return None
    value = _as_number(next(g for g in m.groups() if g))
    return int(value) if value is not None else None


_SCALE = {"亿": 10000.0, "千万": 1000.0, "百万": 100.0, "万": 1.0}


def _revenue(text: str) -> float | None:
    m = _REVENUE.search(text)
    if m is None:
        return None
    value = _as_number(m.group(1))
    return value * _SCALE[m.group(2)] if value is not None else None


def _standings(text: str, negations: bool = True) -> list[str]:
    out = []
    for term in standing_words().find(text):
        before = text[max(0, term.start - 3):term.start]           # 不出口, 不做出口, 还没有出口
        if negations and any(n in before for n in _NEGATION):
            continue
        out.append(term.label)
    return list(dict.fromkeys(out))


def _wants(text: str) -> list[str]:
    kinds = [t.label for t in want_words().find(text)]
    kinds += [t.label for t in kind_phrases().find(text)]
    order = {t.label: t.start for t in [*want_words().find(text), *kind_phrases().find(text)]}
    return sorted(dict.fromkeys(kinds), key=lambda k: order.get(k, 0))


def standing_names() -> list[str]:
    """The standings a profile may state (for forms)."""
    return [title for title, _ in _rows("standings.tsv", 2)]


# An enterprise speaking of itself, then asking which measures apply: the chat hands such a
# question to matching (rag.tools.match) instead of answering it with the nearest clauses.
_SELF = re.compile(r"(?:我们|我司|本公司|本企业|我厂|咱们|我)(?:是|在|做|从事|属于|有|公司|企业|厂)")
_ASKS_MEASURES = re.compile(r"(?:有|能|可以|可|适用|享受)(?:哪些|什么|啥|些)[^?？。]{0,10}(?:政策|措施|支持|扶持|补贴|优惠|帮扶)"
                            r"|能享受|可以享受|适用(?:哪些|的)?政策|哪些政策|什么政策|政策匹配")


def asks_for_measures(text: str, places: Sequence[str] = ()) -> bool:
    """Whether a question is an enterprise describing itself (a city, trade or size read from it)
    and asking which measures apply: 我们是东莞的一家家具厂,80人,…有哪些政策?"""
    norm = normalise(text)
    if not (_SELF.search(norm) and _ASKS_MEASURES.search(norm)):
        return False
    p = parse_profile(text, places)
    return bool(p.city or p.trades or p.size or p.above_scale)
