"""The tools over one index snapshot, with the per-snapshot tables made once (what the service
keeps and swaps when a new build is loaded)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from index.catalog import IndexSnapshot
from index.models import NATIONAL
from index.support import support_kinds
from rag.limits import TOOL_DEADLINE_S, ProfileRequest
from rag.tools.duties import DutyIndex, DutyTable, TaskMatrix, duties, tasks
from rag.tools.match import MatchResult, SupportIndex, match, trade_names
from rag.tools.profile import Profile, profile_from_fields, standing_names


@dataclass
class Toolbox:
    snapshot: IndexSnapshot
    unit_table: Any = field(default=None, repr=False)     # the strategy's UnitClauses, when it has one

    @cached_property
    def support(self) -> SupportIndex:
        return SupportIndex(self.snapshot)

    @cached_property
    def duty_index(self) -> DutyIndex:
        return DutyIndex(self.snapshot, self.unit_table)

    def warm_up(self) -> None:
        _ = (self.support, self.duty_index)

    def profile(self, request: ProfileRequest) -> Profile:
        return profile_from_fields(text=request.text, city=request.city, trade=request.trade, size=request.size,
                                   above_scale=request.above_scale, employees=request.employees,
                                   revenue_wan=request.revenue_wan, has=request.has, wants=request.wants,
                                   places=self.snapshot.places)

    def match(self, request: ProfileRequest) -> MatchResult:
        return match(self.snapshot, self.profile(request), self.support, deadline=time.monotonic() + TOOL_DEADLINE_S)

    def duties(self, unit: str, place: str | None = None) -> DutyTable:
        return duties(self.snapshot, unit, place, self.duty_index)

    def tasks(self, doc_id: str) -> TaskMatrix | None:
        return tasks(self.snapshot, doc_id)

    def choices(self) -> dict[str, list[str]]:
        """What forms offer: cities, trades, standings, kinds of support, documents with units."""
        docs = [d for d in self.snapshot.national_first if any(not c.units.is_empty() for c in d.clauses)]
        return {"cities": [p for p in self.snapshot.places if p != NATIONAL], "places": list(self.snapshot.places),
                "trades": trade_names(), "standings": standing_names(), "kinds": list(support_kinds()),
                "documents": [f"{d.doc_id}|{d.label}" for d in docs]}
