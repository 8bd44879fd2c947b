"""Two or more asks in one message ("中山首席质量官谁负责?质量奖又是哪个部门管?", "我们是中山一家灯饰厂,
想做绿色产品认证,另外员工培训有没有渠道?") are split, so each is answered and cited in turn and a
decline of one does not decline the others.

The message is cut at sentence ends (?。!;) and at commas that open another ask (另外, 还有, 也想,
同时 …). Pieces that ask nothing (no interrogative, no want: 我们是中山一家灯饰厂) are the speaker's
context: they go with the first ask, and the later ones follow it (its place carries over). One
ask, with or without context, is left as it was typed.
"""
from __future__ import annotations

import re

from rag.understand.lexicon import split_context

MAX_ASKS = 4             # asks answered from one message; the rest stay with the last one
MIN_ASK = 2              # characters an ask needs besides punctuation
_SENTENCE = re.compile(r"(?<=[?？!！。;；\n])")
_CONNECTIVE = re.compile(r"[,，、]\s*(?=(?:另外|此外|还有(?!谁)|同时|以及|并且|顺便问|再问|也想|还想|也要|还要|也需要|还需要|另想|还有就是)"
                         r"[\u4e00-\u9fffA-Za-z])|(?<=[\u4e00-\u9fff])、(?=(?:想|要|需要|希望|打算)[\u4e00-\u9fff])")   # 想做品牌、要融资
# "那文旅局呢?" followed by the question it is the subject of: one ask, not two.
_ELLIPTICAL = re.compile(r"^(?:那么?|还有)?[\u4e00-\u9fffA-Za-z]{1,10}呢[?？]?$")
_ASKS = re.compile(r"[?？]|什么|哪|谁|多少|(?<![好十几这那前近头])几[个家项条年月号]|吗|呢|怎么|怎样|如何|是否|有没有|能不能|可不可以|能否|"
                   r"\b(what|which|who|how|when|where|is|are|does|do|can)\b", re.I)
_WANTS = re.compile(r"想|要|希望|需要|打算|计划")


def pieces(text: str) -> list[str]:
    """The message cut at sentence ends and at commas that open another ask, trimmed, non-empty."""
    out = []
    for sentence in _SENTENCE.split(text):
        out += [p.strip() for p in _CONNECTIVE.split(sentence) if p.strip()]
    return out


def split_asks(text: str) -> list[str]:
    """The asks of a message, each with the speaker's context before it; [text] when it holds one."""
    kept = _joined([p for p in pieces(text) if len(re.sub(r"\W", "", p)) >= MIN_ASK])
    last_question = max((i for i, p in enumerate(kept) if _ASKS.search(p)), default=len(kept))
    context: list[str] = []
    asks: list[str] = []
    for i, piece in enumerate(kept):      # a want before the last question is an ask of its own (想做认证,…有没有渠道?)
        if _ASKS.search(piece) or (_WANTS.search(piece) and i < last_question):
            asks.append(piece)
        elif not asks:
            context.append(piece)
        else:
            asks[-1] += piece                       # a statement after an ask belongs to it (…院长是谁?我们想联系他)
    if len(asks) < 2:
        return [text]
    if len(asks) > MAX_ASKS:
        asks = asks[:MAX_ASKS - 1] + ["".join(asks[MAX_ASKS - 1:])]
    if not context:                                 # 我们是中山一家灯饰厂,想…: the first ask's self-description
        said, first = split_context(asks[0])
        context, asks[0] = ([said], first) if said else ([], asks[0])
    prefix = "".join(c.rstrip("。.;;,,") + "," for c in context)
    return [prefix + asks[0], *asks[1:]]        # the later asks follow the first: its place carries, its trade would drown them


def _joined(kept: list[str]) -> list[str]:
    """Pieces with an elliptical one ("那文旅局呢?") joined to the ask after it (在这份方案里负责什么?)."""
    out: list[str] = []
    for piece in kept:
        if out and _ELLIPTICAL.match(out[-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return out
