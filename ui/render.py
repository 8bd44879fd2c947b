"""Presentation, pure: the chat's messages, answers with their markers linked, each cited clause as
a card with the quotes marked and lost characters flagged. What the user typed is shown literally
(never as HTML or Markdown), and Markdown images in answers are rendered inert, so no message makes
the browser fetch anything."""
from __future__ import annotations

import html
import re
from typing import Any, TypedDict


class Turn(TypedDict):
    """One exchange as the UI keeps it: what the user typed, the answer text, the contract (None on error)."""

    question: str
    answer: str
    contract: dict[str, Any] | None


def answerer_label(name: str) -> str:
    """'llm:deepseek-chat' -> 'LLM（deepseek-chat）'; 'extractive' -> '摘录式（extractive）'."""
    if name.startswith("llm:"):
        return f"LLM（{name.split(':', 1)[1]}），引文经核验，失败时改用摘录式"
    return "摘录式（extractive），答案逐句摘自条款" if name == "extractive" else name


_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?")


def plain_question(text: str) -> str:
    """The question as asked: HTML tags, comments and Markdown images removed, whitespace collapsed.
    (A stopgap until the service layer normalises questions itself.) '甲<b>乙</b>' -> '甲乙'."""
    text = _MD_IMAGE.sub("", _TAG.sub("", text or ""))
    return re.sub(r"\s+", " ", text).strip()


_MD_ALWAYS = set("\\`*_[]()#!|~$")          # Markdown syntax anywhere in a line
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.M)   # lists, setext headings


def literal_markdown(text: str) -> str:
    """Text that a Markdown renderer shows exactly as typed: HTML escaped, Markdown syntax
    backslash-escaped (no emphasis, links, images, code, headings or lists), line breaks kept."""
    out = "".join("\\" + ch if ch in _MD_ALWAYS else html.escape(ch, quote=False) for ch in text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                      else m.group(2) + "\\"), out)


def inert_markdown(text: str) -> str:
    """An answer as Markdown that cannot load anything: no raw HTML (escaped), and images made
    plain text ('![a](u)' shows as '![a](u)'), while lists and emphasis still render."""
    return html.escape(text, quote=False).replace("![", "\\!\\[")


def link_markers(text: str, turn: int, markers: set[int]) -> str:
    """'[1]' -> a link to clause 1 of this answer's sources, for each cited marker."""
    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"<a class='zc-ref' href='#zc-{turn}-{n}'>[{n}]</a>" if n in markers else m.group(0)
    return re.sub(r"\[(\d{1,3})\]", link, text)


def highlight(text: str, quotes: list[str], lost: list[list[int]]) -> str:
    """Clause text as HTML: each quote in <mark>, lost characters flagged; everything escaped."""
    marked: set[int] = set()
    for quote in quotes:
        start = text.find(quote) if quote else -1
        marked |= set(range(start, start + len(quote))) if start >= 0 else set()
    gone = {i for a, b in lost for i in range(a, b)}
    out, i = [], 0
    while i < len(text):
        j, key = i, (i in marked, i in gone)
        while j < len(text) and (j in marked, j in gone) == key:
            j += 1
        piece = html.escape(text[i:j])
        if key[1]:
            piece = f"<span class='zc-lost' title='原文缺损，无法恢复'>{piece}</span>"
        out.append(f"<mark>{piece}</mark>" if key[0] else piece)
        i = j
    return "".join(out)


def group_citations(citations: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Citations of the same clause together, in order of first citation."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in citations:
        groups.setdefault((c["doc_id"], c["clause"]), []).append(c)
    return list(groups.values())


def clause_html(group: list[dict[str, Any]], turn: int = 0) -> str:
    """One cited clause as a card, with an anchor per marker that cites it (id zc-<turn>-<marker>)."""
    c = group[0]
    markers = list(dict.fromkeys(int(g["marker"]) for g in group))
    anchors = "".join(f"<span id='zc-{turn}-{m}'></span>" for m in markers)
    when = f" · {html.escape(str(c['date']))}" if c.get("date") else ""
    text = highlight(c["text"], [g["quote"] for g in group], c.get("damaged_spans", [])).replace("\n", "<br>")
    return (
        f"<div class='zc-cite'>{anchors}<div class='zc-head'>{''.join(f'[{m}]' for m in markers)} "
        f"{html.escape(c['title'])}</div>"
        f"<div class='zc-meta'>{html.escape(c['city'])}{when} · 第 {html.escape(c['clause'])} 条</div>"
        f"<div class='zc-text'>{text}</div></div>"
    )


def sources_html(contract: dict[str, Any], turn: int = 0) -> str:
    """An answer's sources, on one line (so Markdown leaves it alone): warnings, each cited clause
    in a collapsible box, and which answerer answered."""
    parts = [f"<div class='zc-warn'>⚠ {html.escape(w['detail'])}</div>" for w in contract.get("warnings", [])]
    groups = group_citations(contract.get("citations", []))
    if groups:
        cards = "".join(clause_html(g, turn) for g in groups)
        parts.append(f"<details class='zc-sources' open><summary>引用的条款（{len(groups)}）</summary>{cards}</details>")
    else:
        parts.append("<div class='zc-foot'>没有引用条款。</div>")
    answerer = contract.get("meta", {}).get("answerer")
    if answerer:
        parts.append(f"<div class='zc-foot'>本次回答：{html.escape(str(answerer))}</div>")
    return "<div class='zc-answer-sources'>" + "".join(parts) + "</div>"


def answer_markdown(contract: dict[str, Any], turn: int) -> str:
    """A bot message: the answer with its markers linked, then its own sources."""
    markers = {int(c["marker"]) for c in contract.get("citations", [])}
    text = link_markers(inert_markdown(contract["answer"]), turn, markers)
    return f"{text}\n\n{sources_html(contract, turn)}"


def render_chat(turns: list[Turn]) -> list[dict[str, str]]:
    """The Chatbot's messages for the turns: user text literal, each answer with its sources."""
    messages: list[dict[str, str]] = []
    for n, t in enumerate(turns):
        messages.append({"role": "user", "content": literal_markdown(t["question"])})
        body = answer_markdown(t["contract"], n) if t["contract"] is not None else inert_markdown(t["answer"])
        messages.append({"role": "assistant", "content": body})
    return messages


def history_of(turns: list[Turn]) -> list[tuple[str, str]]:
    """Earlier turns as (question, answer) pairs for follow-up questions."""
    return [(plain_question(t["question"]), t["answer"]) for t in turns]
