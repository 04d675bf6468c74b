"""A day being planned: what each collector has so far, and what assigning a visit decided."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from services.dispatch.domain.geo import Point
from services.dispatch.domain.localtime import Span
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.visits import VisitRequest


@dataclass(frozen=True)
class Progress:
    load: int = 0  # visits assigned that day
    at: Point | None = None  # where the last of them is; None: still at home
    free_at: datetime | None = None  # when the last of them ends; None: free all day


@dataclass(frozen=True)
class Assignment:
    visit: VisitRequest
    collector_ids: tuple[str, ...]  # the team, best-scored first
    starts_at: datetime  # when every member can be at the door
    slot: Span  # the part of the window all members can do it in: what their routes must respect


@dataclass(frozen=True)
class Unassignable:
    visit: VisitRequest
    reason: str
    reasons: tuple[tuple[str, int], ...] = ()  # each reason of the collectors asked, counted, most common first


@dataclass(frozen=True)
class DayPlan:
    """One day's plan so far, by collector id; never changed in place (`after` returns the next plan)."""

    progress: Mapping[str, Progress] = field(default_factory=dict)

    def of(self, collector_id: str) -> Progress:
        return self.progress.get(collector_id, _IDLE)

    @property
    def loads(self) -> dict[str, int]:
        return {collector_id: p.load for collector_id, p in self.progress.items()}

    def after(self, assignment: Assignment, policy: DispatchPolicy = DEFAULT) -> "DayPlan":
        ends = assignment.starts_at + policy.duration
        progress = dict(self.progress)
        for collector_id in assignment.collector_ids:
            before = self.of(collector_id)
            progress[collector_id] = Progress(before.load + 1, assignment.visit.location or before.at, ends)
        return DayPlan(progress)


_IDLE = Progress()
