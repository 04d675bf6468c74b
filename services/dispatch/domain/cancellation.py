"""When a visit stops being wanted, when a collector did not turn up, and what happens next.

A visit is cancelled when the reason for it goes away before it happens: the
loan is cured, settled or closed, the borrower signs an agreement, or opens a
complaint (which pauses all collection for that person). Only visits not yet
begun are cancelled; one already checked in is finished and reported.
"""
from datetime import datetime
from typing import Literal

from services.dispatch.domain.eligibility import why_not
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import NOT_BEGUN, VisitRequest

CANCELLING_EVENTS: dict[str, str] = {
    "delinquency.loan_cured": "loan_cured",
    "delinquency.loan_settled": "loan_settled",
    "delinquency.loan_closed": "loan_closed",
    "outreach.complaint_opened": "complaint_opened",
    "agreement.signed": "agreement_signed",
}
CANCELLABLE_STATUSES = NOT_BEGUN
NoShowNext = Literal["replan", "report_to_outreach"]


def cancel_reason(event_type: str) -> str | None:
    """The cancellation reason an event type gives its case's pending visits; None: it does not cancel."""
    return CANCELLING_EVENTS.get(event_type)


def cancels(event_type: str, visit_status: str) -> bool:
    """Whether an event cancels a visit of its loan or customer that is in `visit_status`."""
    return cancel_reason(event_type) is not None and visit_status in CANCELLABLE_STATUSES


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


def replan_after_no_show(no_shows_so_far: int, policy: DispatchPolicy = DEFAULT) -> NoShowNext:
    """`no_shows_so_far` counts this visit's no-shows including the one just detected.

    Re-planned `max_replans` times (once by default), then handed back to
    outreach, which decides with the borrower whether to try again.
    """
    if no_shows_so_far < 1:
        raise ValueError("there must be at least the no-show being handled")
    return "replan" if no_shows_so_far <= policy.max_replans else "report_to_outreach"


def reassign_reason(collector: Collector, visit: VisitRequest, policy: DispatchPolicy = DEFAULT) -> str | None:
    """Why a collector can no longer keep a visit already theirs (deactivated, certification lapsed, ...).

    Capacity is not asked again: the visit is already counted in their day.
    """
    return why_not(collector, visit, day_load=0, policy=policy)
