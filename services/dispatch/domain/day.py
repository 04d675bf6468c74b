"""A whole day: assign every visit, then order each collector's visits into a route."""
from dataclasses import dataclass
from typing import Iterable, Sequence

from services.dispatch.domain.assignment import assign_day
from services.dispatch.domain.plan import Assignment, Unassignable
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.routing import Route, Stop, plan_route
from services.dispatch.domain.visits import VisitRequest


@dataclass(frozen=True)
class DayResult:
    assignments: list[Assignment]
    unassignables: list[Unassignable]
    routes: dict[str, Route]  # by collector id, for those with at least one visit


def plan_day(visits: Iterable[VisitRequest], collectors: Sequence[Collector],
             policy: DispatchPolicy = DEFAULT) -> DayResult:
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
