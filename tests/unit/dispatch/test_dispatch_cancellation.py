from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.dispatch.domain.cancellation import (
    cancel_reason,
    cancels,
    is_no_show,
    reassign_reason,
    replan_after_no_show,
)
from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

END = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize("event_type, reason", [
    ("delinquency.loan_cured", "loan_cured"),
    ("delinquency.loan_settled", "loan_settled"),
    ("delinquency.loan_closed", "loan_closed"),
    ("outreach.complaint_opened", "complaint_opened"),
    ("agreement.signed", "agreement_signed"),
    ("delinquency.loan_bucket_changed", None),
    ("outreach.complaint_resolved", None),
    ("loan.payment_received", None),  # a part payment leaves the visit wanted; cured is what cancels
])
def test_what_cancels_a_visit_and_why(event_type, reason):
    assert cancel_reason(event_type) == reason


def test_only_a_visit_not_yet_begun_is_cancelled():
    assert cancels("delinquency.loan_cured", "assigned")
    assert cancels("outreach.complaint_opened", "unassignable")
    assert not cancels("delinquency.loan_cured", "checked_in")
    assert not cancels("delinquency.loan_cured", "completed")
    assert not cancels("delinquency.loan_bucket_changed", "assigned")


@pytest.mark.parametrize("checked_in_at, now, no_show", [
    (None, END - timedelta(seconds=1), False),  # the window is not over yet
    (None, END, True),
    (None, END + timedelta(hours=3), True),
    (END - timedelta(minutes=50), END + timedelta(hours=1), False),
    (END, END + timedelta(hours=1), True),  # checking in at the window's end is outside it
    (END + timedelta(minutes=5), END + timedelta(hours=1), True),
])
def test_a_no_show_is_no_check_in_inside_the_window_once_it_is_over(checked_in_at, now, no_show):
    assert is_no_show(END, checked_in_at, now) is no_show


def test_no_show_rules_refuse_naive_times():
    with pytest.raises(ValueError):
        is_no_show(END, None, datetime(2026, 3, 10, 5))


def test_a_no_show_is_replanned_once_then_reported_to_outreach():
    assert replan_after_no_show(1) == "replan"
    assert replan_after_no_show(2) == "report_to_outreach"
    assert replan_after_no_show(5) == "report_to_outreach"
    assert replan_after_no_show(2, DispatchPolicy(max_replans=2)) == "replan"
    with pytest.raises(ValueError):
        replan_after_no_show(0)


def test_a_collector_deactivated_or_losing_certification_gives_up_future_visits_but_not_for_load():
    collector = Collector("c", "n", Territory(frozenset({"shanghai"})), date(2026, 12, 31), frozenset(), 1,
                          ((time(8), time(20)),) * 7, Point(31.2, 121.4), "Asia/Shanghai")
    visit = VisitRequest("v", "k", "p", "shanghai/pudong", None, "Asia/Shanghai", END - timedelta(hours=2), END)
    assert reassign_reason(collector, visit) is None  # its one visit of capacity 1 is this one
    assert reassign_reason(replace(collector, active=False), visit) == "inactive"
    assert reassign_reason(replace(collector, certified_until=date(2026, 3, 9)), visit) == "not_certified"
