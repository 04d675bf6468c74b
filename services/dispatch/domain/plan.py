"""A day being planned: what each collector has so far, and what assigning a visit decided."""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

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
    """One day's plan so far, by collector id; never changed in place."""

    progress: Mapping[str, Progress] = field(default_factory=dict)

    def of(self, collector_id: str) -> Progress:
        return self.progress.get(collector_id, _IDLE)


@dataclass(frozen=True)
class Booking:
    """One member's place in a visit already planned (a team's visit is one booking per member)."""

    collector_id: str
    visit_id: str
    location: Point | None
    window_start: datetime
    planned_start: datetime | None  # when the team is planned at the door; None: the window's start


def day_so_far(bookings: Iterable[Booking], visit: VisitRequest, policy: DispatchPolicy = DEFAULT) -> DayPlan:
    """Each collector's day so far as `visit` sees it (bookings of the visit itself left out).

    The load counts every visit of the day; the previous stop and when they are free count only
    visits over before this one's window opens (borrowers confirm slots in any order, so a later
    booking may be for an earlier hour). `bookings` come in planned order.
    """
    progress: dict[str, Progress] = {}
    for booking in bookings:
        if booking.visit_id == visit.visit_id:
            continue
        before = progress.get(booking.collector_id, _IDLE)
        free_at = (booking.planned_start or booking.window_start) + policy.duration
        if free_at > visit.window_start:
            progress[booking.collector_id] = Progress(before.load + 1, before.at, before.free_at)
            continue
        at = booking.location if booking.location is not None else before.at
        progress[booking.collector_id] = Progress(before.load + 1, at, max(free_at, before.free_at or free_at))
    return DayPlan(progress)


_IDLE = Progress()
