from datetime import date, timedelta
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.overdue.domain.allocation import (
    Payment,
    ScheduledInstalment,
    allocate,
    outstanding,
    overdue_amount,
)

SCHEDULE = [
    ScheduledInstalment(1, date(2026, 1, 15), 1000),
    ScheduledInstalment(2, date(2026, 2, 15), 1000),
    ScheduledInstalment(3, date(2026, 3, 15), 1000),
]


def paid_by_sequence(allocation):
    return {p.sequence: p.paid for p in allocation.instalments}


def test_a_payment_pays_the_oldest_instalment_first():
    allocation = allocate(SCHEDULE, [Payment("p1", 1500, date(2026, 3, 1))])

    assert paid_by_sequence(allocation) == {1: 1000, 2: 500, 3: 0}


def test_oldest_is_by_due_date_even_when_the_schedule_arrives_shuffled():
    allocation = allocate(list(reversed(SCHEDULE)), [Payment("p1", 1000, date(2026, 3, 1))])

    assert paid_by_sequence(allocation) == {1: 1000, 2: 0, 3: 0}
    assert [p.sequence for p in allocation.instalments] == [1, 2, 3]


def test_partial_payments_add_up_on_the_same_instalment():
    payments = [Payment("p1", 300, date(2026, 1, 10)), Payment("p2", 200, date(2026, 1, 12))]

    allocation = allocate(SCHEDULE, payments)

    assert paid_by_sequence(allocation) == {1: 500, 2: 0, 3: 0}
    assert allocation.instalments[0].unpaid == 500
    assert outstanding(allocation) == 2500


def test_money_beyond_the_whole_schedule_is_a_credit():
    allocation = allocate(SCHEDULE, [Payment("p1", 3250, date(2026, 1, 10))])

    assert outstanding(allocation) == 0
    assert allocation.credit == 250
    assert allocation.paid_total == 3250


def test_a_reversed_payment_left_out_leaves_no_trace():
    kept = Payment("p1", 1000, date(2026, 1, 15))
    reversed_payment = Payment("p2", 1000, date(2026, 2, 15))

    before = allocate(SCHEDULE, [kept, reversed_payment])
    after_reversal = allocate(SCHEDULE, [kept])

    assert overdue_amount(before, date(2026, 2, 16)) == 0
    assert overdue_amount(after_reversal, date(2026, 2, 16)) == 1000
    assert after_reversal.paid_total == 1000
    assert after_reversal.credit == 0


def test_the_order_in_which_payments_arrive_does_not_matter():
    payments = [
        Payment("p1", 700, date(2026, 1, 20)),
        Payment("p2", 900, date(2026, 1, 5)),
        Payment("p3", 400, date(2026, 2, 20)),
    ]

    results = {allocate(SCHEDULE, list(order)) for order in permutations(payments)}

    assert len(results) == 1
    assert paid_by_sequence(results.pop()) == {1: 1000, 2: 1000, 3: 0}


def test_payments_after_as_of_are_not_counted():
    payments = [Payment("p1", 1000, date(2026, 1, 15)), Payment("p2", 1000, date(2026, 1, 16))]

    allocation = allocate(SCHEDULE, payments, as_of=date(2026, 1, 15))

    assert allocation.paid_total == 1000
    assert paid_by_sequence(allocation) == {1: 1000, 2: 0, 3: 0}


def test_the_same_payment_delivered_twice_counts_once():
    payment = Payment("p1", 1000, date(2026, 1, 15))

    assert allocate(SCHEDULE, [payment, payment]).paid_total == 1000


def test_one_payment_id_with_two_amounts_is_refused():
    with pytest.raises(ValueError, match="p1"):
        allocate(SCHEDULE, [Payment("p1", 1000, date(2026, 1, 15)), Payment("p1", 900, date(2026, 1, 15))])


def test_non_positive_payments_and_negative_instalments_are_refused():
    with pytest.raises(ValueError):
        Payment("p1", 0, date(2026, 1, 15))
    with pytest.raises(ValueError):
        ScheduledInstalment(1, date(2026, 1, 15), -1)


schedules = st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 50_000)), min_size=1, max_size=12,
).map(lambda rows: [
    ScheduledInstalment(seq, date(2026, 1, 1) + timedelta(days=offset), amount)
    for seq, (offset, amount) in enumerate(rows, start=1)
])
payment_lists = st.lists(
    st.tuples(st.integers(1, 80_000), st.integers(0, 400)), max_size=15,
).map(lambda rows: [
    Payment(f"p{n}", amount, date(2026, 1, 1) + timedelta(days=offset))
    for n, (amount, offset) in enumerate(rows)
])


@given(schedules, payment_lists)
def test_every_unit_of_money_paid_is_either_allocated_or_credit(schedule, payments):
    allocation = allocate(schedule, payments)

    assert sum(p.paid for p in allocation.instalments) + allocation.credit == sum(p.amount for p in payments)
    assert all(p.unpaid >= 0 and p.paid >= 0 for p in allocation.instalments)
    assert all(p.paid + p.unpaid == p.amount_due for p in allocation.instalments)
    assert allocation.credit == 0 or outstanding(allocation) == 0


@given(schedules, payment_lists, st.randoms(use_true_random=False))
def test_allocation_ignores_payment_order(schedule, payments, rng):
    shuffled = list(payments)
    rng.shuffle(shuffled)

    assert allocate(schedule, shuffled) == allocate(schedule, payments)
