"""Random loan books for the contract tests: schedules, payments, reversals, a date and a policy.

Dates cluster where calendars bite (month ends, 29 February, the year's turn) and where the
rules do (due on the evaluation date, the grace's last day, a bucket's first day); payments and
reversals fall on, just before or just after those dates; amounts repeat instalment sizes, so
payments often pay an instalment off exactly.
"""
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

from services.overdue.domain.allocation import Payment, ScheduledInstalment
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy

FIRST, LAST = date(2023, 12, 1), date(2025, 6, 30)
AWKWARD_DAYS = [
    date(2023, 12, 31), date(2024, 1, 1), date(2024, 1, 31), date(2024, 2, 28), date(2024, 2, 29),
    date(2024, 3, 1), date(2024, 3, 31), date(2024, 4, 30), date(2024, 12, 31), date(2025, 1, 1),
    date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 1),
]
SIZES = [5_000, 10_000, 20_000]
any_day = st.one_of(st.sampled_from(AWKWARD_DAYS), st.dates(FIRST, LAST))


@dataclass(frozen=True)
class LoanCase:
    loan_id: str
    schedule: list[ScheduledInstalment]
    payments: list[tuple[Payment, date | None]]  # with the business date of its reversal, if reversed
    closed: bool
    in_scope: bool
    stored_state: str  # "agrees" with the rules on the date, or has the "wrong_bucket" or "wrong_settled"
    stored_numbers: tuple[int, int, int] | None  # stale days/overdue/outstanding; None: already right
    wrong_bucket_pick: int


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 January + 1 month = 29 February 2024)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def shifted(days: list[date], by: int = 1) -> st.SearchStrategy[date]:
    return st.builds(lambda d, shift: d + timedelta(days=shift), st.sampled_from(days), st.integers(-by, by))


def due_dates(on: date, policy: Policy) -> st.SearchStrategy[date]:
    """Due dates mostly on the rules' edges as seen from `on`: the grace's end, a bucket's start, due that day."""
    starts = policy.buckets.lower_bounds
    decisive = st.sampled_from(sorted({policy.grace_days, policy.grace_days + 1, *starts}))
    beside = st.sampled_from(sorted({-1, 0, 1, *(start + shift for start in starts for shift in (-1, 1))}))
    lags = st.one_of(decisive, decisive, beside, st.integers(-40, 40))
    lagged = st.builds(lambda lag: on - timedelta(days=lag), lags)
    return st.one_of(lagged, lagged, lagged, any_day)


@st.composite
def schedules(draw, on: date, policy: Policy) -> list[ScheduledInstalment]:
    count = draw(st.integers(1, 12))
    if draw(st.booleans()):
        start = draw(due_dates(on, policy))
        dates = [add_months(start, n) for n in range(count)]
    else:
        dates = sorted(draw(st.lists(due_dates(on, policy), min_size=count, max_size=count)))  # ties allowed
    amounts = st.one_of(st.sampled_from([0, *SIZES]), st.integers(1, 50_000))
    return [ScheduledInstalment(n, due, draw(amounts)) for n, due in enumerate(dates, 1)]


@st.composite
def loan_cases(draw, loan_id: str, on: date, policy: Policy) -> LoanCase:
    schedule = draw(schedules(on, policy))
    paying_off = [sum(i.amount_due for i in schedule[:n]) for n in range(1, len(schedule) + 1)]
    exact = st.sampled_from(sorted({amount for amount in paying_off + [i.amount_due for i in schedule] if amount}
                                   or {1}))
    amounts = st.one_of(exact, exact, st.sampled_from(SIZES), st.integers(1, 60_000))
    paid_on = st.one_of(shifted([on]), shifted([i.due_date for i in schedule]), any_day)
    payments = []
    for n in range(draw(st.integers(0, 6))):
        paid = Payment(f"{loan_id}-P{n}", draw(amounts), draw(paid_on))
        reversed_on = st.one_of(shifted([on, paid.business_date]), any_day)
        payments.append((paid, draw(st.one_of(st.none(), reversed_on))))
    stale = st.tuples(st.integers(0, 900), st.integers(0, 10**6), st.integers(0, 10**6))
    return LoanCase(
        loan_id, schedule, payments, closed=draw(st.integers(0, 9)) == 0, in_scope=draw(st.booleans()),
        stored_state=draw(st.sampled_from(["agrees", "wrong_bucket", "wrong_settled"])),
        stored_numbers=draw(st.one_of(st.none(), stale)), wrong_bucket_pick=draw(st.integers(0, 10)),
    )


@st.composite
def policies(draw) -> Policy:
    grace_days = draw(st.integers(0, 10))
    starts = [draw(st.integers(1, grace_days + 1))]
    for _ in range(draw(st.integers(0, 5))):
        starts.append(starts[-1] + draw(st.integers(1, 120)))
    return Policy(grace_days, BucketTable(tuple(starts)))


@dataclass(frozen=True)
class Book:
    on: date
    policy: Policy
    loans: list[LoanCase]
    scoped: bool  # evaluate only the loans in scope, rather than the whole book
    held_payment: Payment | None  # a payment for a loan the book does not know


@st.composite
def books(draw) -> Book:
    policy = draw(policies())
    on = draw(st.one_of(shifted(AWKWARD_DAYS), any_day))
    loans = [draw(loan_cases(f"L{n}", on, policy)) for n in range(draw(st.integers(1, 8)))]
    held = draw(st.one_of(st.none(), st.builds(Payment, st.just("held-P"), st.integers(1, 60_000), shifted([on]))))
    return Book(on, policy, loans, draw(st.booleans()), held)
