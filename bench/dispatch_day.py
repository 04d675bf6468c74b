"""A whole day planned at once with the dispatch domain, and the nearest-collector baseline: what
`python -m bench.dispatch` measures. The service assigns one visit at a time as requests arrive
(`services.dispatch.domain.assignment.assign`, the day so far read from its database); the
benchmark plans a generated day with that same `assign`, visit after visit in window-start order.

A roster index finds the collectors who might cover a visit without asking the whole roster:
only a time saver, since `assign` gives the same team from the whole roster. A collector is filed
under every city its area codes touch and, for a polygon, under every grid cell the polygon's
bounds touch; a visit looks in its city and in the cell of its coordinates.
"""
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from services.dispatch.domain.assignment import assign
from services.dispatch.domain.geo import Point, city_of, distance_km
from services.dispatch.domain.localtime import Span
from services.dispatch.domain.plan import Assignment, DayPlan, Progress, Unassignable
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.routing import Route, Stop, plan_route
from services.dispatch.domain.scoring import Place, from_last_stop
from services.dispatch.domain.teams import Candidate
from services.dispatch.domain.visits import VisitRequest

CELL_DEGREES = 0.25  # about 28 km north-south: a few cells for a city-scale polygon


@dataclass(frozen=True)
class RosterIndex:
    by_city: dict[str, list[Collector]] = field(default_factory=dict)
    by_cell: dict[tuple[int, int], list[Collector]] = field(default_factory=dict)

    def candidates(self, visit: VisitRequest) -> list[Collector]:
        in_city = self.by_city.get(city_of(visit.area), [])
        in_cell = self.by_cell.get(_cell(visit.location), []) if visit.location is not None else []
        if not in_cell:
            return in_city
        seen = {c.collector_id for c in in_city}
        return in_city + [c for c in in_cell if c.collector_id not in seen]


def index(collectors: Sequence[Collector]) -> RosterIndex:
    by_city: dict[str, list[Collector]] = {}
    by_cell: dict[tuple[int, int], list[Collector]] = {}
    for collector in collectors:
        for city in sorted(collector.territory.cities):
            by_city.setdefault(city, []).append(collector)
        if len(collector.territory.polygon) >= 3:
            for cell in _cells(*collector.territory.bounds):
                by_cell.setdefault(cell, []).append(collector)
    return RosterIndex(by_city, by_cell)


def _cell(point: Point) -> tuple[int, int]:
    return math.floor(point.lat / CELL_DEGREES), math.floor(point.lon / CELL_DEGREES)


def _cells(south: float, north: float, west: float, east: float) -> list[tuple[int, int]]:
    (low_lat, low_lon), (high_lat, high_lon) = _cell(Point(south, west)), _cell(Point(north, east))
    return [(lat, lon) for lat in range(low_lat, high_lat + 1) for lon in range(low_lon, high_lon + 1)]


def from_home(collector: Collector, progress: Progress, visit: VisitRequest, slot: Span,
              policy: DispatchPolicy) -> Candidate:
    """The baseline's rank: distance from home only, no load balance, no look at the rest of the day."""
    return Candidate(collector, distance_km(collector.home, visit.location) if visit.location else 0.0, slot[0], slot)


def after(plan: DayPlan, assignment: Assignment, policy: DispatchPolicy = DEFAULT) -> DayPlan:
    """The day's plan once `assignment` is on it (a new plan; `plan` is unchanged)."""
    ends = assignment.starts_at + policy.duration
    progress = dict(plan.progress)
    for collector_id in assignment.collector_ids:
        before = plan.of(collector_id)
        progress[collector_id] = Progress(before.load + 1, assignment.visit.location or before.at, ends)
    return DayPlan(progress)


def assign_day(visits: Iterable[VisitRequest], collectors: Sequence[Collector],
               policy: DispatchPolicy = DEFAULT) -> tuple[list[Assignment], list[Unassignable]]:
    """One day's visits, in window-start order, each seeing the loads and last stops the earlier ones left."""
    return _day(visits, collectors, policy, from_last_stop)


def assign_nearest(visits: Iterable[VisitRequest], collectors: Sequence[Collector],
                   policy: DispatchPolicy = DEFAULT) -> tuple[list[Assignment], list[Unassignable]]:
    """BASELINE: each visit to the eligible collector(s) nearest their home, no routing."""
    return _day(visits, collectors, policy, from_home)


def _day(visits: Iterable[VisitRequest], collectors: Sequence[Collector], policy: DispatchPolicy,
         place: Place) -> tuple[list[Assignment], list[Unassignable]]:
    roster, state = index(collectors), DayPlan()
    assigned: list[Assignment] = []
    unassignable: list[Unassignable] = []
    for visit in sorted(visits, key=lambda v: (v.window_start, v.visit_id)):
        result = assign(visit, roster.candidates(visit), state, policy, place)
        if isinstance(result, Assignment):
            state = after(state, result, policy)
            assigned.append(result)
        else:
            unassignable.append(result)
    return assigned, unassignable


@dataclass(frozen=True)
class DayResult:
    assignments: list[Assignment]
    unassignables: list[Unassignable]
    routes: dict[str, Route]  # by collector id, for those with at least one visit


def plan_day(visits: Iterable[VisitRequest], collectors: Sequence[Collector],
             policy: DispatchPolicy = DEFAULT) -> DayResult:
    """A whole day: assign every visit, then order each collector's visits into a route."""
    assignments, unassignables = assign_day(visits, collectors, policy)
    homes = {c.collector_id: c.home for c in collectors}
    routes = {collector_id: plan_route(homes[collector_id], stops, policy, initial=stops)
              for collector_id, stops in stops_by_collector(assignments).items()}
    return DayResult(assignments, unassignables, routes)


def stops_by_collector(assignments: Iterable[Assignment]) -> dict[str, list[Stop]]:
    """Each member's stops in the order assigned; a stop's window is the team's slot, not the whole window.

    The slot is where the confirmed window, every member's hours and 08-21
    meet, so a route that respects it respects all four.
    """
    stops: dict[str, list[Stop]] = {}
    for a in assignments:
        stop = Stop(a.visit.visit_id, a.visit.location, a.slot[0], a.slot[1])
        for collector_id in a.collector_ids:
            stops.setdefault(collector_id, []).append(stop)
    return stops
