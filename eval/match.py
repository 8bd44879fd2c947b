"""`python -m eval match --gold eval/match_dev.jsonl`: recall and precision of policy matching
(eval/FORMAT_MATCH.md) — per profile, pooled over all profiles (micro) and averaged (macro).

    recall     = |listed ∩ must| / |must|
    precision  = |listed ∩ must| / |listed − may|      (a listed clause outside must and may is wrong)
    strict     = |listed ∩ must| / |listed|            (a floor: every may listed counted wrong too)
    apart      = |listed apart ∩ apart| / |apart|       (reported; measures needing what the profile lacks)
    traps      listed clauses the gold names in must_not (counted in precision too; shown per profile)

The profile is matched the way a client would: rag.tools through the same entry points as the API
(profile_from_fields with the free text and the form fields), on the local index.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.gold import GoldFormatError

REF_LISTS = ("must", "may", "must_not", "apart")
FIELDS = ("city", "trade", "size", "above_scale", "employees", "revenue_wan", "has", "wants")


@dataclass(frozen=True)
class MatchGold:
    id: str
    profile: str                                   # free text (may be empty when fields are given)
    fields: dict[str, Any]
    must: list[str]
    may: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    apart: list[str] = field(default_factory=list)
    note: str = ""


def _gold_of(obj: Any) -> MatchGold:
    if not isinstance(obj, dict):
        raise GoldFormatError("each line must be a JSON object")
    unknown = sorted(set(obj) - {"id", "profile", "fields", "note", *REF_LISTS})
    if unknown:
        raise GoldFormatError(f"unknown fields {unknown}; allowed: id, profile, fields, note, {', '.join(REF_LISTS)}")
    if not isinstance(obj.get("id"), str) or not obj["id"].strip():
        raise GoldFormatError("field 'id' must be a non-empty string")
    text, fields = obj.get("profile", ""), obj.get("fields", {})
    if not isinstance(text, str) or not isinstance(fields, dict) or not (text.strip() or fields):
        raise GoldFormatError("give 'profile' (free text) or 'fields' (an object), or both")
    bad = sorted(set(fields) - set(FIELDS))
    if bad:
        raise GoldFormatError(f"unknown profile fields {bad}; allowed: {', '.join(FIELDS)}")
    lists = {k: obj.get(k, []) for k in REF_LISTS}
    for k, v in lists.items():
        if not isinstance(v, list) or not all(isinstance(r, str) and len(r.split(None, 1)) == 2 for r in v):
            raise GoldFormatError(f"field {k!r} must be a list of clause references \"DOC CLAUSE\", "
                                  f"e.g. \"东莞 二、(二)6.\"; got {v!r:.120}")
    if not lists["must"] and not lists["must_not"]:
        raise GoldFormatError("a profile needs clauses in 'must' or 'must_not'")
    return MatchGold(id=obj["id"], profile=text, fields=fields, note=str(obj.get("note", "")), **lists)


def load_match_gold(path: str | Path) -> list[MatchGold]:
    out, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            gold = _gold_of(json.loads(line))
        except (GoldFormatError, json.JSONDecodeError) as e:
            raise GoldFormatError(f"{path}:{number}: {e}") from None
        if gold.id in seen:
            raise GoldFormatError(f"{path}:{number}: duplicate id {gold.id!r}")
        seen.add(gold.id)
        out.append(gold)
    if not out:
        raise GoldFormatError(f"{path}: no profiles")
    return out


# ------------------------------------------------------------------------------ references
class Resolver:
    """"DOC CLAUSE" -> "doc_id clause_id": DOC is a doc id, the part of one before "_" (000), or a
    place with exactly one document (东莞, 全国); CLAUSE a clause id of that document."""

    def __init__(self, snapshot: Any) -> None:
        self.snap = snapshot
        self.docs: dict[str, list[str]] = {}
        for d in snapshot.documents.values():
            for name in {d.doc_id, d.doc_id.split("_", 1)[0], d.place}:
                self.docs.setdefault(name, []).append(d.doc_id)

    def __call__(self, ref: str) -> str:
        doc, clause = ref.split(None, 1)
        ids = self.docs.get(doc, [])
        if len(ids) != 1:
            raise GoldFormatError(f"reference {ref!r}: {doc!r} names {len(ids)} documents of the index; "
                                  "use a doc id or its prefix")
        if self.snap.clause(ids[0], clause.strip()) is None:
            raise GoldFormatError(f"reference {ref!r}: the document has no clause {clause.strip()!r}")
        return f"{ids[0]} {clause.strip()}"


# ------------------------------------------------------------------------------ scoring
@dataclass
class ProfileScore:
    id: str
    must: set[str]
    listed: set[str]
    may: set[str]
    must_not: set[str]
    apart_gold: set[str]
    apart_listed: set[str]

    @property
    def found(self) -> set[str]:
        return self.listed & self.must

    @property
    def judged(self) -> set[str]:
        return self.listed - self.may

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.must) if self.must else 1.0

    @property
    def precision(self) -> float:
        return len(self.found) / len(self.judged) if self.judged else 1.0

    def failures(self) -> list[str]:
        out = [f"missed {r}" for r in sorted(self.must - self.listed)]
        out += [f"wrongly listed {r}" + (" (must_not)" if r in self.must_not else "") for r in sorted(self.judged - self.must)]
        out += [f"not listed apart {r}" for r in sorted(self.apart_gold - self.apart_listed)]
        return out


def score(gold: MatchGold, listed: Sequence[str], apart: Sequence[str], resolve: Resolver) -> ProfileScore:
    keys = {k: {resolve(r) for r in getattr(gold, k)} for k in REF_LISTS}
    return ProfileScore(id=gold.id, must=keys["must"], listed=set(listed), may=keys["may"],
                        must_not=keys["must_not"], apart_gold=keys["apart"], apart_listed=set(apart))


@dataclass
class Summary:
    profiles: list[ProfileScore]

    def micro(self) -> tuple[float, float]:
        found = sum(len(p.found) for p in self.profiles)
        must = sum(len(p.must) for p in self.profiles)
        judged = sum(len(p.judged) for p in self.profiles)
        return (found / must if must else 1.0), (found / judged if judged else 1.0)

    def macro(self) -> tuple[float, float]:
        n = len(self.profiles) or 1
        return sum(p.recall for p in self.profiles) / n, sum(p.precision for p in self.profiles) / n

    def strict_precision(self) -> float:
        """Precision were every listed clause the gold leaves open (may) counted wrong: a floor."""
        listed = sum(len(p.listed) for p in self.profiles)
        return sum(len(p.found) for p in self.profiles) / listed if listed else 1.0

    def listed_may(self) -> tuple[int, int]:
        """(listed clauses the gold leaves open, all listed clauses): how much precision does not judge."""
        return sum(len(p.listed & p.may) for p in self.profiles), sum(len(p.listed) for p in self.profiles)

    def apart_recall(self) -> float:
        gold = sum(len(p.apart_gold) for p in self.profiles)
        return sum(len(p.apart_gold & p.apart_listed) for p in self.profiles) / gold if gold else 1.0

    def to_json(self) -> dict[str, Any]:
        (r, p), (mr, mp) = self.micro(), self.macro()
        return {"profiles": len(self.profiles), "recall": round(r, 3), "precision": round(p, 3),
                "macro_recall": round(mr, 3), "macro_precision": round(mp, 3), "apart_recall": round(self.apart_recall(), 3),
                "listed_may": self.listed_may()[0], "listed": self.listed_may()[1],
                "strict_precision": round(self.strict_precision(), 3),
                "per_profile": [{"id": s.id, "recall": round(s.recall, 3), "precision": round(s.precision, 3),
                                 "failures": s.failures()} for s in self.profiles]}

    def lines(self) -> list[str]:
        (r, p), (mr, mp) = self.micro(), self.macro()
        out = [f"{'profile':<28} {'recall':>7} {'precision':>9}  failures"]
        for s in self.profiles:
            fails = s.failures()
            out.append(f"{s.id:<28} {s.recall:>7.3f} {s.precision:>9.3f}  {len(fails)}")
            out += [f"    {f}" for f in fails]
        out += ["", f"{len(self.profiles)} profiles: recall {r:.3f}, precision {p:.3f} (pooled); "
                f"macro recall {mr:.3f}, macro precision {mp:.3f}; listed-apart recall {self.apart_recall():.3f}",
                f"{self.listed_may()[1]} measures listed, {self.listed_may()[0]} of them ones the gold leaves open (may); "
                f"precision counting those wrong too: {self.strict_precision():.3f}"]
        return out


def run_match(golds: Sequence[MatchGold], snapshot: Any) -> Summary:
    """Match every gold profile on the snapshot through rag.tools, as the API does."""
    from rag.tools.match import SupportIndex, match
    from rag.tools.profile import profile_from_fields

    index, resolve = SupportIndex(snapshot), Resolver(snapshot)
    scores = []
    for gold in golds:
        profile = profile_from_fields(text=gold.profile, places=snapshot.places, **gold.fields)
        result = match(snapshot, profile, index)
        listed = [f"{m.doc.doc_id} {m.clause.clause_id}" for m in result.measures]
        apart = [f"{m.doc.doc_id} {m.clause.clause_id}" for m in result.apart]
        scores.append(score(gold, listed, apart, resolve))
    return Summary(scores)
