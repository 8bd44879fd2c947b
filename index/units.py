"""The units in charge of a clause, from the parenthesis that closes it.

Spellings handled (matched on the normalised text, so traditional and simplified alike):
  (市质监局牵头会市发改局、经信局…等单位负责)        lead before 牵头, co-units after 会/会同
  (市质监局、市人社局牵头会市政府质量奖评审委员会成员单位负责)
  (责任单位:市质监局、东莞海关、市商务局)            responsible
  (责任部门:各相关部门)                              responsible
  (市市场监管局、市工业和信息化局…按职责分工负责)    responsible
  (市市场监管局牵头)                                 lead only
A parenthesis that matches none of these (e.g. (含铅蓄电池)) is not a units clause.
"""
from __future__ import annotations

import re

from index.models import Units
from index.text import normalise

# The last parenthesised group of a clause, optionally followed by a full stop.
_TAIL = re.compile(r"[(\uff08]([^()\uff08\uff09]*)[)\uff09]\s*[\u3002.;\uff1b]?\s*$")
_LABELLED = re.compile(r"^(?:责任单位|责任部门|牵头单位|负责单位|实施单位)\s*[::]\s*(.+)$")
_LEAD = re.compile(r"^(.+?)牵头(?:[,,、]?\s*(?:会同|会|联合|配合)(.+?))?(?:负责|实施|落实)?$")
_RESP = re.compile(r"^(.+?)(?:按照?(?:各自)?职责分工)?(?:共同)?负责$")
_SPLIT = re.compile(r"[、,,;;]|\s+")
_TRAIL = re.compile(r"(?:等(?:有关|相关)?(?:单位|部门)|等)$")


def split_units(text: str) -> list[str]:
    out = []
    for part in _SPLIT.split(text):
        part = part.strip()
        tail = _TRAIL.search(normalise(part))
        if tail is not None:  # t2s maps these characters one to one, so positions agree
            part = part[: tail.start()]
        if part:
            out.append(part)
    return out


def units_span(text: str) -> tuple[int, int] | None:
    """Where the units parenthesis sits in `text` (start, end of the inner part), if any."""
    m = _TAIL.search(text)
    if m is None or parse_inner(text[m.start(1):m.end(1)]).is_empty():
        return None
    return m.start(1), m.end(1)


def parse_units(text: str) -> Units:
    """Units of a clause, with the raw parenthesis as written (source script)."""
    m = _TAIL.search(text)
    if m is None:
        return Units()
    return parse_inner(m.group(1))


def parse_inner(raw: str) -> Units:
    probe = normalise(raw).strip()
    # Match on the simplified probe but cut the names from the source text, so units stay as
    # written; should t2s ever change the length, fall back to the simplified names.
    source = raw.strip()
    if len(probe) != len(source):
        source = probe
    units = _match(probe, source)
    units.raw = raw
    return units


def _match(probe: str, source: str) -> Units:
    m = _LABELLED.match(probe)
    if m:
        return Units(responsible=split_units(source[m.start(1):m.end(1)]))
    m = _LEAD.match(probe)
    if m:
        co = split_units(source[m.start(2):m.end(2)]) if m.group(2) else []
        return Units(lead=split_units(source[m.start(1):m.end(1)]), co=co)
    m = _RESP.match(probe)
    if m:
        return Units(responsible=split_units(source[m.start(1):m.end(1)]))
    return Units()
