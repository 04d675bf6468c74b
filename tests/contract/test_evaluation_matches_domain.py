"""The set-based SQL evaluation and the pure domain rules are one rule.

services/overdue/store/evaluation.py computes every open loan's days past due, overdue amount
and outstanding amount in one statement, and pre-filters the loans whose bucket or settlement
may change; services/overdue/domain computes the same for one loan in Python. On random books
in the real Postgres, the SQL must give the domain's numbers for every loan it evaluates, leave
every other loan alone, and return a loan as a candidate exactly when its stored bucket or
settled flag differs from what Policy.bucket_for and outstanding() say.
"""
from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, given, settings

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
from services.overdue.store.evaluation import evaluate
from tests.contract.books import Book, LoanCase, books


@dataclass(frozen=True)
class Expected:
    numbers: tuple[int, int, int]  # days past due, overdue amount, outstanding amount
    paid_total: int
    bucket: str | None


def expected(loan: LoanCase, book: Book) -> Expected:
    """The domain's answer; a payment reversed on or before the date does not count on it."""
    counted = [p for p, reversed_on in loan.payments if reversed_on is None or reversed_on > book.on]
    allocation = allocate(loan.schedule, counted, as_of=book.on)
    dpd = days_past_due(allocation, book.on)
    numbers = (dpd, overdue_amount(allocation, book.on), outstanding(allocation))
    return Expected(numbers, allocation.paid_total, book.policy.bucket_for(dpd))


def stored_bucket(loan: LoanCase, right: Expected, policy: Policy) -> str | None:
    if loan.stored_state != "wrong_bucket":
        return right.bucket
    others = [b for b in [None, *policy.buckets.labels] if b != right.bucket]
    return others[loan.wrong_bucket_pick % len(others)]


async def insert(conn, book: Book, answers: dict[str, Expected]) -> None:
    for loan in book.loans:
        right = answers[loan.loan_id]
        await conn.execute(
            "INSERT INTO loans (loan_id, customer_id, product, merchant, currency, principal, originated_at, status)"
            " VALUES ($1, 'C1', 'Phone', 'Mall', 'CNY', 1, now(), $2)", loan.loan_id,
            "closed" if loan.closed else "active")
        await conn.executemany(
            "INSERT INTO instalments (loan_id, sequence, due_date, amount_due) VALUES ($1, $2, $3, $4)",
            [(loan.loan_id, i.sequence, i.due_date, i.amount_due) for i in loan.schedule])
        bucket = stored_bucket(loan, right, book.policy)
        settled = (right.numbers[2] == 0) != (loan.stored_state == "wrong_settled")
        await conn.execute(
            "INSERT INTO delinquency_state (loan_id, case_seq, case_id, bucket, settled, closed, days_past_due,"
            " overdue_amount, outstanding_amount) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)",
            loan.loan_id, "case" if bucket else None, bucket, settled, loan.closed,
            *(loan.stored_numbers or right.numbers))
        await insert_payments(conn, loan.loan_id, loan.payments)
    if book.held_payment:
        await insert_payments(conn, "L-not-in-the-book", [(book.held_payment, None)])


async def insert_payments(conn, loan_id: str, payments) -> None:
    await conn.executemany(
        "INSERT INTO payments (payment_id, loan_id, amount, currency, paid_at, business_date, channel)"
        " VALUES ($1, $2, $3, 'CNY', now(), $4, 'alipay')",
        [(p.payment_id, loan_id, p.amount, p.business_date) for p, _ in payments])
    await conn.executemany(
        "INSERT INTO payment_reversals (payment_id, loan_id, amount, reversed_at, reversed_on, reason)"
        " VALUES ($1, $2, $3, now(), $4, 'chargeback')",
        [(p.payment_id, loan_id, p.amount, on) for p, on in payments if on is not None])


def evaluated(loan: LoanCase, book: Book) -> bool:
    return not loan.closed and (loan.in_scope or not book.scoped)


async def evaluate_in_rollback(pool, book: Book, answers: dict[str, Expected], scope: list[str] | None = None):
    """(candidates, loan id -> stored numbers); everything the example wrote is rolled back."""
    policy = book.policy
    if scope is None and book.scoped:
        scope = [loan.loan_id for loan in book.loans if loan.in_scope]
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await insert(conn, book, answers)
            candidates = await evaluate(conn, book.on, grace_days=policy.grace_days, loan_ids=scope,
                                        lower_bounds=policy.buckets.lower_bounds, labels=policy.buckets.labels)
            rows = await conn.fetch(
                "SELECT loan_id, days_past_due, overdue_amount, outstanding_amount FROM delinquency_state")
        finally:
            await transaction.rollback()
    return candidates, {r["loan_id"]: (r["days_past_due"], r["overdue_amount"], r["outstanding_amount"]) for r in rows}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(book=books())
async def test_sql_evaluation_gives_the_domain_numbers_and_buckets(overdue_db, book: Book):
    answers = {loan.loan_id: expected(loan, book) for loan in book.loans}
    candidates, stored = await evaluate_in_rollback(overdue_db, book, answers)

    for loan in book.loans:
        right = answers[loan.loan_id]
        untouched = loan.stored_numbers or right.numbers
        assert stored[loan.loan_id] == (right.numbers if evaluated(loan, book) else untouched), loan.loan_id

    returned = {c.loan_id: c for c in candidates}
    disagreeing = {loan.loan_id for loan in book.loans if evaluated(loan, book) and loan.stored_state != "agrees"}
    assert set(returned) == disagreeing
    for loan_id, candidate in returned.items():
        right = answers[loan_id]
        numbers = (candidate.days_past_due, candidate.overdue_amount, candidate.outstanding_amount)
        assert (numbers, candidate.paid_total) == (right.numbers, right.paid_total), loan_id


async def test_a_loan_named_twice_in_the_scope_is_counted_once(overdue_db):
    schedule = [ScheduledInstalment(1, date(2024, 2, 29), 5_000), ScheduledInstalment(2, date(2024, 3, 31), 5_000)]
    loan = LoanCase("L0", schedule, [(Payment("L0-P0", 2_000, date(2024, 2, 29)), None)], closed=False,
                    in_scope=True, stored_state="wrong_bucket", stored_numbers=(0, 0, 0), wrong_bucket_pick=0)
    book = Book(date(2024, 3, 10), Policy(0, BucketTable.parse("1-30,31+")), [loan], scoped=True, held_payment=None)
    right = expected(loan, book)
    candidates, stored = await evaluate_in_rollback(overdue_db, book, {"L0": right}, scope=["L0", "L0"])
    assert right.numbers == (10, 3_000, 8_000)
    assert stored["L0"] == right.numbers
    assert [(c.paid_total, c.outstanding_amount) for c in candidates] == [(2_000, 8_000)]
