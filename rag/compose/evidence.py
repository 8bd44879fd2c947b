"""Picking verbatim evidence inside a clause: sentences scored against the question."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.catalog import IndexSnapshot
from index.models import Clause
from index.text import normalise, sentences
from index.units import units_span
from rag.types import Ask, Kind, Query

# What a stated value looks like, per kind of value asked for. A lost character ("?") can stand
# for a digit: damaged text cannot rule a value out, and an answer resting on it says so.
VALUES: dict[Ask, re.Pattern[str]] = {
    Ask.AMOUNT: re.compile(r"(?<![\d?.,])[\d?][\d?.,]*\s*(?:万元|亿元|千元|元|万美元)|"      # a run's start only: linear
                           r"(?<![一二两三四五六七八九十百千])[一二两三四五六七八九十百千]+\s*(?:万元|亿元|元)"),
    Ask.MONTH: re.compile(r"(?<![\d?])[\d?]{1,2}\s*月(?!份额)|[一二三四五六七八九十]{1,3}月(?!份额)|月底|季度末"),
    Ask.DATE: re.compile(r"[\d?]{4}\s*年\s*[\d?]{1,2}\s*月(?:\s*[\d?]{1,2}\s*日)?|"
                         r"20[\d?]{2}[-./][\d?]{1,2}[-./][\d?]{1,2}|20\d\d\?[\d?]{2,6}"),
    Ask.PERSON: re.compile(r"[\u4e00-\u9fff]{1,3}(?:同志|先生|女士)|联系人|联系电话|电话[::]?\s*\d|\d{3,4}-\d{7,8}|1[3-9]\d{9}|@"),
    Ask.FREQUENCY: re.compile(r"每(?:年|季度|半年|个?月|周|两年|三年|年度)(?!来)|(?<![一二两三\d])[一二两三\d]+年一次|一年[一二两\d]次"),
    Ask.PROCEDURE: re.compile(r"(?:申请|申报|办理|认定)(?:流程|程序|手续|材料|地点|窗口)|提交(?:申请|材料)|"
                              r"向.{1,12}(?:提出申请|申报|提交)|登录.{1,12}(?:平台|系统|网站)"),
    Ask.FEE: re.compile(r"(?<![\d?.,])[\d?][\d?.,]*\s*元(?:/|每)|收费标准|免费|不收费|免收|减免.{0,6}费"),
    Ask.PENALTY: re.compile(r"罚款|罚金|(?<![\d?])[\d?]+\s*(?:万元|元)以(?:下|上)|吊销|拘留|没收"),
    Ask.SHARE: re.compile(r"%|%|‰|百分之|百分点|[一二三四五六七八九]成(?![为立员果效本不])"),
    Ask.DEADLINE: re.compile(r"[\d?]{4}\s*年\s*[\d?]{1,2}\s*月\s*[\d?]{1,2}\s*日(?:前|之前|截止)|截止(?:日期|时间)"),
}
ASK_WORDS = {Ask.AMOUNT: "具体金额", Ask.MONTH: "具体月份", Ask.DATE: "具体日期", Ask.PERSON: "具体人员或联系方式",
             Ask.FREQUENCY: "具体频次(多久一次)", Ask.PROCEDURE: "办理或申请的具体流程、材料和地点", Ask.FEE: "具体收费标准",
             Ask.PENALTY: "具体处罚标准", Ask.DEADLINE: "具体截止日期", Ask.SHARE: "具体比例"}


def states(clause: Clause, ask: Ask) -> bool:
    """Whether a clause states a value of the kind asked for (in its content, not its heading)."""
    return bool(VALUES[ask].search(clause.text))

_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+(家|项|个|件|次|亿|%|大|类|种|条|所|座|人)")
_NUMBERING = re.compile(r"^\s*(?:[(\uff08][一二三四五六七八九十]+[)\uff09]|\d{1,2}[.\uff0e、]|[一二三四五六七八九十]+、)\s*")
_SUPPORT = re.compile(r"资金|补贴|补助|奖励|奖金|税|优惠|扶持|融资|贷款|信贷|授信|财政|基金|专项|认证|券|保险|支持")
_QUESTION_WORDS = {"多少", "哪些", "哪个", "什么", "是否", "有没有", "怎么", "如何", "目标", "部门", "单位", "负责", "牵头", "责任"}


@dataclass
class Sentence:
    text: str          # verbatim, stripped
    start: int         # offset in clause.text
    score: float


CONTEXT_WEIGHT = 0.5    # the speaker's self-description counts, but less than the ask
SINGLE_CHAR_WEIGHT = 0.2  # a lone character (上, 不, 的…) is mostly grammar, rarely the topic


def ask_terms(query: Query, snap: IndexSnapshot) -> dict[str, float]:
    """Content tokens of what is asked, weighted by idf: the ask (framing out) and the corpus
    terms the lexicon or the English bridge found for it at full weight, the speaker's context at
    CONTEXT_WEIGHT. Tokens the corpus never uses are left out (no clause can contain them);
    `unknown_share` tells how much of the ask they were."""
    if query.terms is not None:                # the decision and the answer share one computation
        return query.terms
    cities = {c for city in query.filters.cities + query.places for c in (city, city + "市")} | set(query.place_words)
    terms: dict[str, float] = {}
    grouped = {t for group in query.alternatives for t in group}
    others = [t for t in query.expansions if t not in grouped]          # the English bridge's terms
    for group in query.alternatives:           # one wording's alternatives weigh as one term: any of them covers it
        alternatives = [" ".join(snap.tokenizer.tokenize(t)) for t in group if all(x in snap.bm25 for x in snap.tokenizer.tokenize(t))]
        if alternatives:
            key = "|".join(alternatives)
            terms[key] = max(terms.get(key, 0.0), max(snap.bm25.idf(x) for a in alternatives for x in a.split()))
    for text, factor in ((query.focus or query.ask or query.text, 1.0), (" ".join(others), 1.0),
                         (query.context, CONTEXT_WEIGHT)):
        for t in snap.tokenizer.tokenize(text):
            if t in _QUESTION_WORDS or t in cities:
                continue
            weight = snap.bm25.idf(t) * factor * (SINGLE_CHAR_WEIGHT if len(t) == 1 else 1.0)
            if weight > terms.get(t, 0.0):
                terms[t] = weight
    query.terms = terms
    return terms


def unknown_share(query: Query, snap: IndexSnapshot) -> float:
    """The share of the ask's tokens that the corpus never uses (e.g. 空气炸锅)."""
    tokens = [t for t in snap.tokenizer.tokenize(query.focus or query.ask or query.text) if t not in _QUESTION_WORDS]
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if t not in snap.bm25) / len(tokens)


_CJK4 = re.compile(r"^[\u4e00-\u9fff]{4}$")


COMPOUND_GAP = 12        # characters that may stand between the two words of a compound


def occurs(term: str, low: str) -> bool:
    """Whether a term occurs in the (lower-case) text: as written, or a four-character compound as
    its two words close together (质量培训 in "质量、标准等基础知识培训"), which the segmenter keeps
    whole."""
    if "|" in term or " " in term:             # alternatives, each a run of tokens: any one, all of its tokens
        return any(all(occurs(t, low) for t in alt.split()) for alt in term.split("|"))
    if term in low:
        return True
    if not _CJK4.match(term):
        return False
    head, tail = term[:2], term[2:]
    at = low.find(head)
    while at >= 0:
        if tail in low[at + 2: at + 2 + COMPOUND_GAP + 2]:
            return True
        at = low.find(head, at + 1)
    return False


def matched_mass(text_norm: str, terms: dict[str, float]) -> float:
    """The weight of the terms that occur in the text."""
    low = text_norm.lower()
    return sum(w for t, w in terms.items() if occurs(t, low))


def coverage(text_norm: str, terms: dict[str, float]) -> float:
    """The weighted share of the terms (lower-case tokens) that occur in the text."""
    total = sum(terms.values())
    return matched_mass(text_norm, terms) / total if total else 0.0


def is_heading(text: str, clause: Clause) -> bool:
    """A sentence that only repeats the clause's (or a chapter's) heading: context, not content."""
    bare = _NUMBERING.sub("", normalise(text)).strip(" 。.;;:")
    if not bare:
        return True
    headings = [normalise(h) for h in (clause.heading, *clause.heading_path)]
    return any(bare == _NUMBERING.sub("", h).strip(" 。.;;:") for h in headings if h)


def clause_sentences(clause: Clause) -> list[Sentence]:
    """Content sentences of a clause: the heading line and the units parenthesis excluded (the
    heading is kept only when it is all the clause says)."""
    span = units_span(clause.text)
    out: list[Sentence] = []
    headings: list[Sentence] = []
    pos = 0
    for piece in sentences(clause.text):
        start = pos + (len(piece) - len(piece.lstrip()))
        pos += len(piece)
        text = piece.strip()
        if len(text) < 4 or (span and start >= span[0] - 1):
            continue
        (headings if is_heading(text, clause) else out).append(Sentence(text, start, 0.0))
    return out or headings or [Sentence(clause.text.strip(), 0, 0.0)]


_MEASURE = re.compile(r"(?:多少|几)(家|项|个|件|人次|次|亿元|万元|元|人|所|座|%)")


_YEAR_ASK = re.compile(r"哪一年|哪年|几几年|到哪|什么时候|何时|which years?|what year|by when|when", re.I)


def measure_of(question: str) -> str | None:
    """The measure word a figure question asks for: 多少家 -> 家; a year question -> 年."""
    m = _MEASURE.search(question)
    if m:
        return m.group(1)
    return "年" if _YEAR_ASK.search(question) else None


PHRASE_WEIGHT = 0.3      # weight of the question's character trigrams found in a sentence
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{3,}")


def trigrams(text: str) -> set[str]:
    """Character trigrams of the CJK runs of a text: phrase evidence that tokens miss (缺陷产品召回)."""
    return {run[i:i + 3] for run in _CJK_RUN.findall(normalise(text)) for i in range(len(run) - 2)}


def phrase_overlap(norm: str, grams: set[str]) -> float:
    return sum(1 for g in grams if g in norm) / len(grams) if grams else 0.0


def score_sentences(clause: Clause, terms: dict[str, float], kind: Kind, measure: str | None = None,
                    value: Ask | None = None, phrase: str = "") -> list[Sentence]:
    """Content sentences, best first: coverage of the terms, plus the share of the question's
    character trigrams they hold, with bonuses for a figure (target), the asked measure word, a
    support measure, or a stated value of the kind asked for."""
    scored = []
    grams = trigrams(phrase)
    for s in clause_sentences(clause):
        norm = normalise(s.text)
        score = coverage(norm, terms) + PHRASE_WEIGHT * phrase_overlap(norm, grams)
        if value is not None and VALUES[value].search(s.text):
            score += 0.5
        if kind == Kind.TARGET:
            score = score + 0.25 if _FIGURE.search(norm) else score * 0.5
            if measure and re.search(rf"[\d?一二两三四五六七八九十]\s*{re.escape(measure)}", norm):
                score += 0.3
        if kind == Kind.SUPPORT and _SUPPORT.search(norm):
            score += 0.25
        scored.append(Sentence(s.text, s.start, score))
    return sorted(scored, key=lambda s: -s.score)


def units_quote(clause: Clause) -> str | None:
    """The units parenthesis, verbatim with its brackets."""
    span = units_span(clause.text)
    if span is None:
        return None
    return clause.text[span[0] - 1: span[1] + 1]


def lost_in(clause: Clause, start: int, end: int) -> bool:
    return any(s.start < end and s.end > start for s in clause.lost_spans())
