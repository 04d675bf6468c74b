from datetime import date

import pytest

from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Instalment
from services.agreement.domain.tracking import allocate, missed, status_after

POLICY = AgreementPolicy(version="test")  # grace 3 days, broken at 2 missed
SCHEDULE = [Instalment(date(2024, 1, 31), 400), Instalment(date(2024, 2, 29), 300), Instalment(date(2024, 3, 31), 300)]


def paid_unpaid(allocation):
    return [(p.index, p.paid, p.unpaid) for p in allocation.instalments]


def test_payments_pay_the_oldest_instalment_first_and_the_rest_is_a_credit():
    assert paid_unpaid(allocate(SCHEDULE, [])) == [(0, 0, 400), (1, 0, 300), (2, 0, 300)]
    assert paid_unpaid(allocate(SCHEDULE, [250, 200])) == [(0, 400, 0), (1, 50, 250), (2, 0, 300)]
    everything = allocate(SCHEDULE, [1_000, 30])
    assert everything.fully_paid and everything.credit == 30
    assert allocate(SCHEDULE, [200, 250]) == allocate(SCHEDULE, [250, 200])  # order does not matter


def test_a_reversal_is_an_omission_and_allocation_is_as_if_it_never_happened():
    assert allocate(SCHEDULE, [400, 300]) != allocate(SCHEDULE, [400])
    assert allocate(SCHEDULE, [400]) == allocate(SCHEDULE, [400])


def test_a_schedule_given_out_of_order_is_paid_by_due_date_and_keeps_its_indexes():
    shuffled = [SCHEDULE[2], SCHEDULE[0], SCHEDULE[1]]

    assert paid_unpaid(allocate(shuffled, [500])) == [(1, 400, 0), (2, 100, 200), (0, 0, 300)]


@pytest.mark.parametrize("payments", [[0], [-5], [1.5], [True]])
def test_a_payment_is_a_positive_whole_amount(payments):
    with pytest.raises(ValueError):
        allocate(SCHEDULE, payments)


@pytest.mark.parametrize("today, payments, expected", [
    (date(2024, 2, 3), [], []),  # within the grace days
    (date(2024, 2, 3), [399], []),  # last day of grace: a fen short is not missed yet
    (date(2024, 2, 4), [], [0]),  # past due plus grace, unpaid
    (date(2024, 2, 4), [399], [0]),  # a fen short is not paid
    (date(2024, 2, 4), [400], []),
    (date(2024, 3, 4), [400], [1]),  # leap day due date: 29 February + 3 days
    (date(2024, 3, 3), [400], []),
    (date(2024, 4, 4), [], [0, 1, 2]),
])
def test_an_instalment_is_missed_when_unpaid_more_than_the_grace_days_after_it_fell_due(today, payments, expected):
    assert missed(allocate(SCHEDULE, payments), today, POLICY.grace_days) == expected


def test_an_instalment_already_reported_missed_is_not_reported_again():
    allocation = allocate(SCHEDULE, [])

    assert missed(allocation, date(2024, 3, 10), 3, already_reported={0}) == [1]
    with pytest.raises(ValueError):
        missed(allocation, date(2024, 3, 10), -1)


@pytest.mark.parametrize("today, payments, expected", [
    (date(2024, 1, 20), [], "active"),
    (date(2024, 2, 10), [], "active"),  # one missed: not broken yet
    (date(2024, 3, 3), [], "active"),  # the second is still within grace
    (date(2024, 3, 4), [], "broken"),  # two missed
    (date(2024, 3, 4), [400], "active"),  # caught up on the first: one missed
    (date(2024, 3, 4), [1_000], "fulfilled"),
    (date(2024, 1, 1), [1_000], "fulfilled"),  # paid ahead
    (date(2024, 3, 31), [999], "active"),  # one fen short of the last, on its due date
    (date(2024, 12, 31), [999], "broken"),  # ... and still short once the whole schedule is over
])
def test_an_agreement_is_fulfilled_when_all_is_paid_broken_after_enough_misses_active_otherwise(
        today, payments, expected):
    assert status_after(allocate(SCHEDULE, payments), today, POLICY) == expected


def test_the_break_threshold_is_policy():
    strict = AgreementPolicy(version="test", missed_instalments_to_break=1, grace_days=0)

    assert status_after(allocate(SCHEDULE, []), date(2024, 2, 1), strict) == "broken"
    assert status_after(allocate(SCHEDULE, []), date(2024, 1, 31), strict) == "active"


def test_pay_in_full_breaks_once_its_only_instalment_is_missed():
    # fewer instalments than the break threshold (2): missing all of them breaks it
    single = allocate([Instalment(date(2026, 3, 10), 30_000)], [])
    assert status_after(single, date(2026, 3, 13), POLICY) == "active"  # within the grace
    assert status_after(single, date(2026, 3, 14), POLICY) == "broken"


def test_an_agreement_whose_schedule_is_over_breaks_on_a_single_unpaid_instalment():
    schedule = [Instalment(date(2026, 1, 10), 100), Instalment(date(2026, 2, 10), 100),
                Instalment(date(2026, 3, 10), 100)]
    paid_two = allocate(schedule, [200])
    assert status_after(paid_two, date(2026, 3, 13), POLICY) == "active"
    assert status_after(paid_two, date(2026, 3, 14), POLICY) == "broken"
