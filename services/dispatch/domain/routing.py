"""One collector's day in order: nearest neighbour in time from home, then 2-opt, never breaking a window.

A route starts and ends at the collector's home base, and its total counts
both legs, so it compares with a day of out-and-back trips. A stop without
coordinates costs no distance (the address is on the stop; the app guides).
Stops that cannot be made inside their window are listed as `late`, not done.
"""
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from services.dispatch.domain.geo import Point, distance_km
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.tour import Tour, Walk, nearest_neighbour, two_opt, walk


@dataclass(frozen=True)
class Stop:
    visit_id: str
    location: Point | None
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class PlannedStop:
    stop: Stop
    arrival: datetime  # when the visit begins: travel done, and not before the window opens


@dataclass(frozen=True)
class Route:
    stops: tuple[PlannedStop, ...]
    total_km: float
    late: tuple[Stop, ...] = ()  # cannot begin by window end less a visit's length: to re-plan


def plan_route(home: Point, stops: Sequence[Stop], policy: DispatchPolicy = DEFAULT,
               leave_at: datetime | None = None, initial: Sequence[Stop] | None = None) -> Route:
    """The better of nearest neighbour and `initial` (e.g. the order assigned), improved by 2-opt.

    `leave_at` None: the collector leaves home in time for the first stop.
    """
    ordered = sorted(stops, key=lambda s: (s.window_start, s.visit_id))  # ties go the same way every time
    tour = _tour(home, ordered, policy, leave_at)
    starts = [nearest_neighbour(tour)]
    if initial is not None:
        starts.append([ordered.index(s) + 1 for s in initial])
    best = min(starts, key=lambda order: _rank(walk(tour, order)))
    return _route(ordered, tour, two_opt(tour, best))


def schedule(home: Point, order: Sequence[Stop], policy: DispatchPolicy = DEFAULT,
             leave_at: datetime | None = None) -> Route:
    """The day in exactly this order."""
    tour = _tour(home, list(order), policy, leave_at)
    return _route(list(order), tour, list(range(1, len(order) + 1)))


def nearest_first(home: Point, stops: Sequence[Stop], policy: DispatchPolicy = DEFAULT,
                  leave_at: datetime | None = None) -> list[Stop]:
    """Nearest neighbour in time alone, before any improvement."""
    ordered = sorted(stops, key=lambda s: (s.window_start, s.visit_id))
    return [ordered[i - 1] for i in nearest_neighbour(_tour(home, ordered, policy, leave_at))]


def improve(home: Point, order: Sequence[Stop], policy: DispatchPolicy = DEFAULT,
            leave_at: datetime | None = None) -> list[Stop]:
    """2-opt alone, from this order."""
    tour = _tour(home, list(order), policy, leave_at)
    return [order[i - 1] for i in two_opt(tour, list(range(1, len(order) + 1)))]


def _rank(done: Walk) -> tuple[int, float]:
    return len(done.late), done.km


def _tour(home: Point, stops: list[Stop], policy: DispatchPolicy, leave_at: datetime | None) -> Tour:
    points = [home, *(s.location for s in stops)]
    duration = policy.duration.total_seconds()
    return Tour(km=tuple(tuple(_km(a, b) for b in points) for a in points),
                opens=(0.0, *(s.window_start.timestamp() for s in stops)),
                latest=(0.0, *(s.window_end.timestamp() - duration for s in stops)),
                pace=policy.travel_seconds(1.0), duration=duration,
                leave=leave_at.timestamp() if leave_at is not None else -math.inf)


def _km(a: Point | None, b: Point | None) -> float:
    return distance_km(a, b) if a is not None and b is not None else 0.0


def _route(stops: list[Stop], tour: Tour, order: list[int]) -> Route:
    done = walk(tour, order)
    planned = tuple(PlannedStop(stops[i - 1], _arrival(stops[i - 1], done.starts[i]))
                    for i in order if i in done.starts)
    return Route(planned, done.km, tuple(stops[i - 1] for i in order if i in done.late))


def _arrival(stop: Stop, start: float) -> datetime:
    """Exactly the window's start when waiting for it (no float round trip to land a microsecond early)."""
    return stop.window_start if start <= stop.window_start.timestamp() else datetime.fromtimestamp(start, UTC)
