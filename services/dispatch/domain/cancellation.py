"""When a collector did not turn up, and when a collector can no longer keep a visit.

(Which facts forbid a visit, and so cancel it, is domain/conduct.py.)
"""
from datetime import datetime

from services.dispatch.domain.eligibility import why_not
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest


def is_no_show(visit_window_end: datetime, checked_in_at: datetime | None, now: datetime) -> bool:
    """Nobody checked in inside the window, and the window is over.

    Production asks this of each visit the store finds still assigned once its window ended.

    The window is half-open, as every window here: a check-in at its end or
    later is outside the time the borrower confirmed, so it does not count.
    """
    for instant in (visit_window_end, now, checked_in_at):
        if instant is not None and (instant.tzinfo is None or instant.utcoffset() is None):
            raise ValueError("no-show rules need time-zone aware datetimes")
    checked_in = checked_in_at is not None and checked_in_at < visit_window_end
    return now >= visit_window_end and not checked_in


def reassign_reason(collector: Collector, visit: VisitRequest, policy: DispatchPolicy = DEFAULT) -> str | None:
    """Why a collector can no longer keep a visit already theirs (deactivated, certification lapsed, ...).

    Capacity is not asked again: the visit is already counted in their day.
    """
    return why_not(collector, visit, day_load=0, policy=policy)
