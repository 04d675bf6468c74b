"""A promise counts payments from when it was made to the end of its date plus the grace, on the portfolio's
calendar; the case waits for it until then."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.outreach.domain.planning import CaseView, promise_deadline, while_promised
from services.outreach.domain.waiting import WaitingFor

SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")


def test_payments_count_until_the_portfolios_midnight_after_the_date_plus_the_grace():
    assert promise_deadline(date(2026, 2, 11), 2, SHANGHAI) == datetime(2026, 2, 14, tzinfo=SHANGHAI)
    assert promise_deadline(date(2026, 2, 11), 0, SHANGHAI) == datetime(2026, 2, 12, tzinfo=SHANGHAI)


def test_the_deadline_is_the_local_midnight_across_daylight_saving():
    deadline = promise_deadline(date(2026, 3, 6), 2, NEW_YORK)  # clocks spring forward on 03-08 at 02:00
    assert deadline == datetime(2026, 3, 9, 4, tzinfo=UTC)  # 00:00 EDT, no longer EST


def test_the_case_waits_for_the_promise_until_its_deadline():
    case = CaseView("case-1", "C1", None, 1, 2, WaitingFor.OUTCOME)
    deadline = datetime(2026, 2, 14, tzinfo=SHANGHAI)
    plan = while_promised(case, deadline)
    assert (plan.step_index, plan.step_attempts, plan.waiting_for, plan.next_action_at) == (
        1, 2, WaitingFor.PROMISE, deadline)
