"""How a candidate is ranked and when it could begin a visit.

The planner scores the distance from where a collector's day has got to (the
last stop, or home) plus `load_weight_km` per visit already on it: near
collectors win, but not by piling a whole street onto one of them. It also
asks when the collector could arrive after their last visit, since
dispatching someone who cannot make the window breaks a time the borrower
confirmed. (The benchmark's nearest-collector baseline, which looks only at
the distance from home, is another `Place`: bench/dispatch_day.py.)
"""
from collections.abc import Callable
from datetime import timedelta

from services.dispatch.domain.geo import distance_km
from services.dispatch.domain.localtime import Span
from services.dispatch.domain.plan import Progress
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.teams import Candidate
from services.dispatch.domain.visits import VisitRequest

Place = Callable[[Collector, Progress, VisitRequest, Span, DispatchPolicy], Candidate]


def from_last_stop(collector: Collector, progress: Progress, visit: VisitRequest, slot: Span,
                   policy: DispatchPolicy) -> Candidate:
    km = distance_km(progress.at or collector.home, visit.location) if visit.location else 0.0
    ready = slot[0]
    if progress.free_at is not None:
        ready = max(ready, progress.free_at + timedelta(seconds=policy.travel_seconds(km)))
    return Candidate(collector, km + policy.load_weight_km * progress.load, ready, slot)

