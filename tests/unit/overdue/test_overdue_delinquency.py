import uuid
from datetime import date

from services.overdue.domain.allocation import Payment, ScheduledInstalment, allocate
from services.overdue.domain.buckets import DEFAULT_BUCKETS, BucketTable
from services.overdue.domain.delinquency import (
    DelinquencyState,
    Policy,
    Position,
    Transition,
    case_id_for,
    close,
    decide,
)

LOAN = "loan-42"
POLICY = Policy(grace_days=0, buckets=BucketTable.parse(DEFAULT_BUCKETS))
SCHEDULE = [ScheduledInstalment(n, date(2026, n, 15), 1000) for n in range(1, 7)]


class Loan:
    """A fake of the service's projection: one loan's payments and delinquency state."""

    def __init__(self):
        self.payments: list[Payment] = []
        self.state = DelinquencyState.initial()

    def pay(self, payment_id: str, amount: int, on: date) -> None:
        self.payments.append(Payment(payment_id, amount, on))

    def reverse(self, payment_id: str) -> None:
        self.payments = [p for p in self.payments if p.payment_id != payment_id]

    def end_of_day(self, on: date) -> list[tuple]:
        position = Position.of(allocate(SCHEDULE, self.payments, as_of=on), on)
        self.state, transitions = decide(LOAN, self.state, position, POLICY)
        return [(t.kind, t.bucket, t.previous_bucket) for t in transitions]


def test_a_loan_paid_on_time_causes_no_transitions():
    loan = Loan()
    loan.pay("p1", 1000, date(2026, 1, 15))

    assert loan.end_of_day(date(2026, 1, 15)) == []
    assert loan.end_of_day(date(2026, 1, 16)) == []
    assert loan.state == DelinquencyState.initial()


def test_full_lifecycle_of_a_loan_through_two_episodes():
    loan = Loan()
    assert loan.end_of_day(date(2026, 1, 16)) == [("became_overdue", "1-30", None)]
    first_case = loan.state.case_id
    assert loan.end_of_day(date(2026, 2, 14)) == []  # still 1-30: one episode, one event
    assert loan.end_of_day(date(2026, 2, 15)) == [("bucket_changed", "31-60", "1-30")]

    loan.pay("p1", 1000, date(2026, 2, 20))  # January paid: February (5 days late) is oldest
    assert loan.end_of_day(date(2026, 2, 20)) == [("bucket_changed", "1-30", "31-60")]
    assert loan.state.case_id == first_case

    loan.pay("p2", 1000, date(2026, 2, 25))
    assert loan.end_of_day(date(2026, 2, 25)) == [("cured", None, "1-30")]
    assert loan.state.case_id is None

    assert loan.end_of_day(date(2026, 3, 16)) == [("became_overdue", "1-30", None)]
    second_case = loan.state.case_id
    assert second_case not in (None, first_case)

    loan.pay("p3", 4000, date(2026, 3, 20))
    assert loan.end_of_day(date(2026, 3, 20)) == [("cured", None, "1-30"), ("settled", None, None)]
    assert loan.state == DelinquencyState(2, None, None, settled=True, closed=False)


def test_each_transition_names_the_episode_it_belongs_to():
    previous = DelinquencyState.initial()
    overdue = Position(days_past_due=3, overdue_amount=1000, outstanding_amount=6000, paid_total=0)
    paid_off = Position(days_past_due=0, overdue_amount=0, outstanding_amount=0, paid_total=6000)

    opened, [became] = decide(LOAN, previous, overdue, POLICY)
    settled, [cured, settlement] = decide(LOAN, opened, paid_off, POLICY)

    assert became == Transition("became_overdue", case_id_for(LOAN, 1), "1-30", None)
    assert cured == Transition("cured", case_id_for(LOAN, 1), None, "1-30")
    assert settlement == Transition("settled", case_id_for(LOAN, 1), None, None)


def test_replaying_the_same_position_causes_nothing_the_second_time():
    loan = Loan()
    assert loan.end_of_day(date(2026, 1, 20)) != []
    state = loan.state

    assert loan.end_of_day(date(2026, 1, 20)) == []
    assert loan.state == state


def test_a_settled_loan_is_announced_once():
    loan = Loan()
    loan.pay("p1", 6000, date(2026, 1, 10))

    assert loan.end_of_day(date(2026, 1, 10)) == [("settled", None, None)]
    assert loan.end_of_day(date(2026, 1, 11)) == []
    assert loan.end_of_day(date(2026, 7, 1)) == []


def test_a_reversal_after_settlement_reopens_the_loan_silently_and_a_new_settlement_is_announced():
    loan = Loan()
    loan.pay("p1", 6000, date(2026, 1, 10))
    assert loan.end_of_day(date(2026, 1, 10)) == [("settled", None, None)]

    loan.reverse("p1")
    assert loan.end_of_day(date(2026, 1, 12)) == []
    assert loan.state.settled is False

    assert loan.end_of_day(date(2026, 1, 16)) == [("became_overdue", "1-30", None)]
    loan.pay("p2", 6000, date(2026, 1, 17))
    assert loan.end_of_day(date(2026, 1, 17)) == [("cured", None, "1-30"), ("settled", None, None)]


def test_a_closed_loan_is_silent_whatever_happens():
    loan = Loan()
    loan.end_of_day(date(2026, 2, 1))
    open_case = loan.state.case_id

    loan.state, ended_case = close(loan.state)

    assert ended_case == open_case
    assert loan.end_of_day(date(2026, 6, 1)) == []
    loan.pay("p1", 6000, date(2026, 6, 2))
    assert loan.end_of_day(date(2026, 6, 2)) == []
    assert loan.state.closed


def test_closing_a_loan_that_is_not_overdue_ends_no_episode():
    state, ended_case = close(DelinquencyState.initial())

    assert ended_case is None
    assert state.closed


def test_within_the_grace_days_a_loan_is_not_overdue():
    lenient = Policy(grace_days=5, buckets=POLICY.buckets)
    late = Position(days_past_due=5, overdue_amount=1000, outstanding_amount=6000, paid_total=0)
    later = Position(days_past_due=6, overdue_amount=1000, outstanding_amount=6000, paid_total=0)

    assert decide(LOAN, DelinquencyState.initial(), late, lenient)[1] == []
    assert [t.kind for t in decide(LOAN, DelinquencyState.initial(), later, lenient)[1]] == ["became_overdue"]


def test_case_ids_are_stable_uuids_per_loan_and_episode():
    assert case_id_for(LOAN, 1) == case_id_for(LOAN, 1)
    assert case_id_for(LOAN, 1) != case_id_for(LOAN, 2)
    assert case_id_for(LOAN, 1) != case_id_for("loan-43", 1)
    assert uuid.UUID(case_id_for(LOAN, 1)).version == 5
    # Pinned: published case ids must not change between releases.
    assert case_id_for("loan-1", 1) == "d3d082c2-0d7d-58b7-a540-295bed217252"
