"""Who may be sent to a visit, and if not, the one reason why.

The rules are checked in a fixed order and the first that objects is the
reason, so a collector's reason is stable (one who is both inactive and at
capacity is always "inactive"): inactive, not_certified, outside_territory,
missing_skill, outside_working_hours, at_capacity.
"""
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from services.dispatch.domain.geo import covers
from services.dispatch.domain.localtime import Span, daily_spans, first_long_enough, overlap, utc_span
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector, Hours
from services.dispatch.domain.visits import VisitRequest

REASONS = ("inactive", "not_certified", "outside_territory", "missing_skill", "outside_working_hours", "at_capacity")


@dataclass(frozen=True)
class Verdict:
    reason: str | None  # None: eligible
    slot: Span | None = None  # when eligible: the first part of the window the collector can do the visit in


def why_not(collector: Collector, visit: VisitRequest, day_load: int, policy: DispatchPolicy = DEFAULT) -> str | None:
    """None when `collector`, with `day_load` visits already that day, may be sent; else the reason code."""
    return judge(collector, visit, day_load, policy).reason


def judge(collector: Collector, visit: VisitRequest, day_load: int, policy: DispatchPolicy = DEFAULT) -> Verdict:
    if not collector.active:
        return Verdict("inactive")
    if not certified_on(collector, visit.local_date):
        return Verdict("not_certified")
    if not covers(collector.territory, visit.area, visit.location):
        return Verdict("outside_territory")
    if not visit.required_skills <= collector.skills:
        return Verdict("missing_skill")
    slot = service_slot(collector, visit, policy)
    if slot is None:
        return Verdict("outside_working_hours")
    if day_load >= collector.daily_capacity:
        return Verdict("at_capacity")
    return Verdict(None, slot)


def certified_on(collector: Collector, day: date) -> bool:
    """`certified_until` is the last valid day, so a certification expiring on the visit day still covers it."""
    return collector.certified_until is not None and collector.certified_until >= day


def service_slot(collector: Collector, visit: VisitRequest, policy: DispatchPolicy = DEFAULT) -> Span | None:
    """The first stretch, at least a visit long, inside the confirmed window, the collector's hours and 08-21.

    The collector's hours are on their own wall clock (their zone may not be
    the borrower's); the visiting hours on the borrower's.
    """
    return _slot(collector.time_zone, collector.hours, visit.time_zone, visit.window_start, visit.window_end, policy)


@lru_cache(maxsize=8192)
def _slot(collector_zone: str, hours: tuple[Hours, ...], visit_zone: str, start: datetime, end: datetime,
          policy: DispatchPolicy) -> Span | None:
    """Memoised: collectors share zones and shifts, and windows start on round times, so a day repeats few."""
    window = utc_span(start, end)
    working = daily_spans(window, ZoneInfo(collector_zone), lambda day: hours[day.weekday()])
    visiting = daily_spans(window, ZoneInfo(visit_zone), lambda day: (policy.visiting_from, policy.visiting_until))
    return first_long_enough(overlap(overlap([window], working), visiting), policy.duration)
