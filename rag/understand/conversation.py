"""The state of a conversation, read back from its text: what an earlier answer listed, and what a
follow-up points at ("第二条具体怎么说?", "最后那项谁负责?", "前面说的计量那条", "这几点呢").

Every client sends earlier turns as [question, answer] text (the UI, /api/ask, OpenAI messages),
so the state is recovered from that text rather than kept on the server: an answer lists clauses
by document and clause id (怀仁《…》七、(二), "- 七、(二)「…」"), by heading, or by quoting them, and
`listed()` finds them in the order they first appear — the order a reader counts "第二条" in.
All scans are bounded: the answer text is capped by the request budgets, and only the documents
the conversation is about are searched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.catalog import IndexSnapshot
from index.models import Clause, Document
from index.structure import cn_value
from index.text import compact, normalise

MAX_DOCS = 12            # documents an earlier answer is searched against
MIN_QUOTE = 12           # characters of a clause sentence that count as quoting it
_NUMERALS = set("零一二三四五六七八九十两")
_CLAUSE_ID = re.compile(r"[一二三四五六七八九十]{1,3}、(?:\([一二三四五六七八九十]{1,4}\))?(?:\d{1,2}\.)?|"
                        r"\([一二三四五六七八九十]{1,4}\)(?:\d{1,2}\.)?")
# Pointers into the last answer.
_ORDINAL = re.compile(r"(?:上面|前面|上述|刚才|之前)?的?第\s*([一二两三四五六七八九十\d]{1,3})\s*(?:条|项|个|点|方面|件|部分措施|"
    r"项措施|条措施|条款)")
_LAST = re.compile(r"最后(?:那|一|的)?\s*(?:条|项|个|点|一条|一项)|末尾(?:那|的)?(?:条|项)")
_ALL = re.compile(r"这几(?:条|项|个|点|方面)|这些(?:措施|条款|任务|工作|方面|内容|目标|指标)?(?=是|的|都|里|中|分别|由|要|呢|[??])|"
                  r"以上几(?:条|项|点)|上述(?:几条|措施|条款|各项)|these (items|measures|points|targets)", re.I)
# The chapter of the clause just shown (那一章下面一共有几条, 这一部分还有什么).
_CHAPTER = re.compile(r"(?:那|这|该|同)一?(?:章|部分|大部分|节|大类)")
_NAMED = re.compile(r"(?:前面|上面|刚才|之前|你)(?:说|提|讲|列)(?:到)?的\s*(.{1,12}?)\s*(?:那条|那项|那个|那一条|那一项|这条|这项)")
_THIS = re.compile(r"(?:^|[,,。;;??!!\s]|那么?)(?:这|该)(?:一)?(?:条|项)(?!目)|^它|\bit\b", re.I)
_TOPIC = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:的)?(?:那条|那项|那一条|那一项)")
_BACK = re.compile(r"回到|说回|再说回|回头(?:说|看|问)|刚才(?:问|说)的(?:那个)?(?:问题)?|go back to|back to", re.I)


@dataclass(frozen=True)
class Pointer:
    """What a follow-up points at in the previous answer, and how it said so."""

    items: list[tuple[str, str]]      # clause keys, in the order the answer listed them
    how: str                          # "第 2 项", "最后一项", "这几项", "“计量”那一项", "这一项"
    within: bool = False              # the ask looks for something inside them (这几点里有没有讲X?): search, not quote
    chapter: bool = False             # the ask wants the chapter the item belongs to (那一章下面一共有几条)


def chinese_number(text: str) -> int | None:
    """'2' -> 2, '二' -> 2, '十二' -> 12, '二十' -> 20; None for what is no number."""
    if not text or any(c not in _NUMERALS and not c.isdigit() for c in text) or (not text.isdigit() and not text.isascii()
                                                                                and any(c.isdigit() for c in text)):
        return None
    return cn_value(text.replace("两", "二"))


def scope(snap: IndexSnapshot, text: str, places: list[str]) -> list[Document]:
    """The documents an earlier answer may list: those whose title or place it names, else those of
    the places the conversation is about, else (a small library) all of them."""
    docs = list(snap.documents.values())
    named = [d for d in docs if d.title in text or (d.place and d.place in text)]
    if not named and places:
        named = [d for d in docs if d.place in places]
    return (named or (docs if len(docs) <= MAX_DOCS else []))[:MAX_DOCS]


def listed(snap: IndexSnapshot, answer: str, places: list[str]) -> list[tuple[str, str]]:
    """The clauses an answer lists, in order of first appearance: by clause id (within the document
    last named before it), by heading, or by a quoted sentence."""
    text = normalise(answer)
    docs = scope(snap, text, places)
    found: list[tuple[int, tuple[str, str]]] = []
    found += _by_id(text, docs)
    for doc in docs:
        for clause in doc.clauses:
            at = _mention(text, clause)
            if at >= 0:
                found.append((at, (doc.doc_id, clause.clause_id)))
    out: list[tuple[str, str]] = []
    for _, key in sorted(found):
        if key not in out:
            out.append(key)
    return out


def _by_id(text: str, docs: list[Document]) -> list[tuple[int, tuple[str, str]]]:
    """Clause ids in the text, each resolved in the document named last before it (by title or
    place), else in the one document of the scope that has such a clause."""
    marks = sorted((m.start(), d) for d in docs for needle in {d.title, d.place} if needle
                   for m in re.finditer(re.escape(needle), text))
    out = []
    for m in _CLAUSE_ID.finditer(text):
        before = [d for at, d in marks if at < m.start()]
        candidates = ([before[-1]] if before else []) + [d for d in docs if not before or d is not before[-1]]
        for doc in candidates:
            clause = _clause_by_id(doc, m.group(0))
            if clause is not None:
                out.append((m.start(), (doc.doc_id, clause.clause_id)))
                break
    return out


def _clause_by_id(doc: Document, cid: str) -> Clause | None:
    exact = [c for c in doc.clauses if c.clause_id == cid]
    if exact:
        return exact[0]
    if cid.startswith("("):                      # "(二)" alone: only when one clause of the document ends so
        ends = [c for c in doc.clauses if c.clause_id.endswith(cid) and "、" in c.clause_id]
        return ends[0] if len(ends) == 1 else None
    return None


def _mention(text: str, clause: Clause) -> int:
    """Where the text first names the clause by its heading (4+ characters) or quotes a sentence
    of it (MIN_QUOTE+ characters); -1 when it does not."""
    spots = []
    if len(clause.heading) >= 4 and clause.heading not in ("发文信息", "前言"):
        spots.append(text.find(clause.heading))
    for piece in re.split(r"[。;!?\n]", clause.norm):
        piece = piece.strip()
        if len(piece) >= MIN_QUOTE:
            spots.append(text.find(piece[:40]))
    found = [s for s in spots if s >= 0]
    return min(found) if found else -1


def points(ask: str) -> bool:
    """The ask points into an earlier list by position (第二条, 最后那项, 这几点)."""
    return bool(_ORDINAL.search(ask) or _LAST.search(ask) or _ALL.search(ask))


def pointer(ask: str, lists: list[list[tuple[str, str]]], snap: IndexSnapshot,
            recent: list[tuple[str, str]] | None = None) -> Pointer | None:
    """What the ask points at among the items earlier answers listed (most recent first), if it
    points. A position is counted in the latest list long enough to hold it (after "第4项说的是什么?"
    answered with one clause, "第一项呢" still counts in the list the user is walking through); a
    word after it (第二条区域品牌) picks, within that list, the item that holds the word. `recent` is
    what the last answer listed: "这条", "前面说的计量那条" point there."""
    recent = recent if recent is not None else (lists[0] if lists else [])
    lists = [items for items in lists if items]
    if not lists and not recent:
        return None
    m = _ORDINAL.search(ask)
    if m:
        n = chinese_number(m.group(1))
        items = next((i for i in lists if n is not None and 1 <= n <= len(i) and (n > 1 or len(i) > 1 or i is lists[0])), None)
        if items is None or n is None:
            return None
        word = _word_after(ask, m.end())
        holding: list[tuple[str, str]] = []
        while len(word) >= 2 and not holding:           # 区域品牌怎么申报 -> 区域品牌
            holding = [k for k in items if _clause_has(snap, k, word)]
            word = word if holding else word[:-1]
        chosen = items[n - 1] if not holding or items[n - 1] in holding else holding[0]
        return Pointer([chosen], f"第 {n} 项" + (f"(“{word}”)" if chosen in holding else ""))
    longest = next((i for i in lists if len(i) > 1), lists[0] if lists else recent)
    if _LAST.search(ask):
        return Pointer([longest[-1]], "最后一项")
    if _ALL.search(ask):                      # 这些是到哪一年的目标? after one clause of targets: that clause
        shown = longest if len(longest) > 1 else recent or longest
        return Pointer(list(shown), f"全部 {len(shown)} 项", within=_asks_inside(_ALL.sub(" ", ask)))
    if _CHAPTER.search(ask) and recent and not _asks_inside(_CHAPTER.sub(" ", ask)):   # 那技术性贸易措施呢,这部分…: a topic
        return Pointer(list(recent[:1]), "所在的一章", chapter=True)
    named = _NAMED.search(ask) or _TOPIC.search(ask)
    if named:
        word = compact(named.group(1)).removesuffix("的")
        hits = [k for items in (recent, *lists) for k in items if word and _clause_has(snap, k, word)]
        return Pointer(hits[:1], f"“{word}”那一项") if hits else None
    if len(recent) == 1 and _THIS.search(ask):
        return Pointer(list(recent), "这一项")
    return None


_INSIDE_FILLER = re.compile(r"[\W_]|里面|里|中|有没有|没有|有|讲|提到|提|说|是否|吗|呢|什么|哪些|的|了|过|这些|都|分别|由|谁|负责|牵头|"
                            r"配合|怎么|具体|内容|要求|要|做|管|单位|部门|目标|多少|哪一?年|是|下面|一共|共|几条|几项|包括|哪几|条|项|章")


def _asks_inside(rest: str) -> bool:
    """Whether what the ask says besides its pointer is a topic of its own (检验检测机构资质审批改革)."""
    return len(_INSIDE_FILLER.sub("", rest)) >= 5


def _word_after(ask: str, at: int) -> str:
    """The Chinese words right after a position pointer (第二条区域品牌 -> 区域品牌), if any."""
    m = re.match(r"(?:里|中|的|说的|讲的|提到的)?([\u4e00-\u9fff]{2,6})", ask[at:])
    word = m.group(1) if m else ""
    return "" if re.match(r"(具体|是什么|讲的|说的|怎么|谁|由谁|哪些|哪个|要|呢|里)", word) else word


def _clause_has(snap: IndexSnapshot, key: tuple[str, str], word: str) -> bool:
    clause = snap.clause(*key)
    return clause is not None and (word in clause.norm or word in normalise(clause.heading))


def goes_back(ask: str) -> bool:
    """The ask returns to an earlier topic (回到刚才的问题, 说回首席质量官)."""
    return bool(_BACK.search(ask))
