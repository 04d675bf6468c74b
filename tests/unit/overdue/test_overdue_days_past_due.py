from datetime import date

import pytest

from services.overdue.domain.allocation import (
    Payment,
    ScheduledInstalment,
    allocate,
    days_past_due,
    outstanding,
    overdue_amount,
)
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy


def dpd(schedule, payments, on):
    return days_past_due(allocate(schedule, payments, as_of=on), on)


def single(due: date, amount: int = 1000):
    return [ScheduledInstalment(1, due, amount)]


def test_an_instalment_paid_in_full_on_its_due_date_is_never_overdue():
    schedule = single(date(2026, 3, 10))
    payments = [Payment("p1", 1000, date(2026, 3, 10))]

    assert dpd(schedule, payments, date(2026, 3, 10)) == 0
    assert dpd(schedule, payments, date(2026, 3, 11)) == 0


def test_an_unpaid_instalment_is_one_day_past_due_the_day_after_its_due_date():
    schedule = single(date(2026, 3, 10))

    assert dpd(schedule, [], date(2026, 3, 10)) == 0
    assert dpd(schedule, [], date(2026, 3, 11)) == 1


def test_a_late_payment_counts_from_the_end_of_the_day_it_was_made():
    schedule = single(date(2026, 3, 10))
    payments = [Payment("p1", 1000, date(2026, 3, 12))]

    assert dpd(schedule, payments, date(2026, 3, 11)) == 1
    assert dpd(schedule, payments, date(2026, 3, 12)) == 0


def test_partly_paid_instalment_is_still_past_due():
    schedule = single(date(2026, 3, 10))

    assert dpd(schedule, [Payment("p1", 999, date(2026, 3, 10))], date(2026, 3, 13)) == 3


@pytest.mark.parametrize("due, on, expected", [
    (date(2026, 1, 31), date(2026, 2, 1), 1),
    (date(2026, 1, 31), date(2026, 2, 28), 28),
    (date(2026, 1, 31), date(2026, 3, 1), 29),
    (date(2026, 2, 28), date(2026, 3, 1), 1),
    (date(2028, 1, 31), date(2028, 2, 29), 29),
    (date(2028, 2, 29), date(2028, 3, 1), 1),
    (date(2028, 2, 28), date(2028, 3, 1), 2),
    (date(2026, 12, 31), date(2027, 1, 1), 1),
])
def test_days_past_due_count_calendar_days_across_month_ends_and_leap_days(due, on, expected):
    assert dpd(single(due), [], on) == expected


def test_the_oldest_unpaid_instalment_sets_days_past_due():
    schedule = [
        ScheduledInstalment(1, date(2026, 1, 15), 1000),
        ScheduledInstalment(2, date(2026, 2, 15), 1000),
        ScheduledInstalment(3, date(2026, 3, 15), 1000),
    ]
    on = date(2026, 3, 20)

    assert dpd(schedule, [], on) == 64
    assert overdue_amount(allocate(schedule, [], as_of=on), on) == 3000
    # Paying one instalment's worth clears the oldest, so the next oldest counts.
    paid_one = [Payment("p1", 1000, date(2026, 3, 18))]
    assert dpd(schedule, paid_one, on) == 33
    assert overdue_amount(allocate(schedule, paid_one, as_of=on), on) == 2000


def test_overdue_amount_leaves_out_what_is_due_today_or_later_but_outstanding_does_not():
    schedule = [
        ScheduledInstalment(1, date(2026, 1, 15), 1000),
        ScheduledInstalment(2, date(2026, 2, 15), 1000),
    ]
    allocation = allocate(schedule, [Payment("p1", 400, date(2026, 1, 20))])

    assert overdue_amount(allocation, date(2026, 2, 15)) == 600
    assert overdue_amount(allocation, date(2026, 2, 16)) == 1600
    assert outstanding(allocation) == 1600


@pytest.mark.parametrize("days, overdue", [(0, False), (2, False), (3, False), (4, True)])
def test_a_loan_is_overdue_only_beyond_the_grace_days(days, overdue):
    policy = Policy(grace_days=3, buckets=BucketTable.parse("1-30,31+"))
    days_late = dpd(single(date(2026, 3, 10)), [], date(2026, 3, 10 + days))

    assert days_late == days
    assert policy.is_overdue(days_late) is overdue
    assert (policy.bucket_for(days_late) == "1-30") is overdue


def test_a_policy_whose_first_bucket_leaves_overdue_loans_without_bucket_is_refused():
    with pytest.raises(ValueError, match="first bucket"):
        Policy(grace_days=0, buckets=BucketTable.parse("5-30,31+"))
    assert Policy(grace_days=4, buckets=BucketTable.parse("5-30,31+")).bucket_for(5) == "5-30"
