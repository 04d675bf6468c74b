"""Writes to the loan book: loans, schedules, payments, reversals, closures."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from services.overdue.domain.calendar import business_date
from shared.events.loan import LoanClosed, LoanOriginated, LoanRescheduled, PaymentReceived, PaymentReversed


async def add_loans(conn: asyncpg.Connection, loans: list[LoanOriginated], originated_at: list) -> list[str]:
    """Insert new loans with their schedule and an initial delinquency state; returns the ids inserted."""
    if not loans:
        return []
    rows = await conn.fetch(
        "INSERT INTO loans (loan_id, customer_id, product, merchant, currency, principal, originated_at)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],"
        " $7::timestamptz[]) ON CONFLICT (loan_id) DO NOTHING RETURNING loan_id",
        [loan.loan_id for loan in loans],
        [loan.borrower.customer_id for loan in loans],
        [loan.product for loan in loans],
        [loan.merchant for loan in loans],
        [loan.currency for loan in loans],
        [loan.principal for loan in loans],
        originated_at,
    )
    inserted = {row["loan_id"] for row in rows}
    fresh = list({loan.loan_id: loan for loan in reversed(loans) if loan.loan_id in inserted}.values())
    lines = [(loan.loan_id, i.sequence, i.due_date, i.amount_due) for loan in fresh for i in loan.schedule]
    await _insert_instalments(conn, lines)
    await conn.execute(
        "INSERT INTO delinquency_state (loan_id, outstanding_amount)"
        " SELECT * FROM unnest($1::text[], $2::bigint[])",
        [loan.loan_id for loan in fresh],
        [sum(i.amount_due for i in loan.schedule) for loan in fresh],
    )
    return [loan.loan_id for loan in fresh]


async def _insert_instalments(conn: asyncpg.Connection, lines: list[tuple]) -> None:
    if lines:
        await conn.execute(
            "INSERT INTO instalments (loan_id, sequence, due_date, amount_due)"
            " SELECT * FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[])",
            *map(list, zip(*lines)),
        )


async def reschedule(conn: asyncpg.Connection, change: LoanRescheduled) -> bool:
    """Replace the instalments due on or after the change's start; False for an unknown loan."""
    if not await conn.fetchval("SELECT true FROM loans WHERE loan_id = $1", change.loan_id):
        return False
    await conn.execute(
        "DELETE FROM instalments WHERE loan_id = $1 AND due_date >= $2", change.loan_id, change.replaces_from
    )
    kept = await conn.fetchval(
        "SELECT coalesce(max(sequence), 0) FROM instalments WHERE loan_id = $1", change.loan_id
    )
    ordered = sorted(change.schedule, key=lambda i: (i.due_date, i.sequence))
    await _insert_instalments(
        conn, [(change.loan_id, kept + n, i.due_date, i.amount_due) for n, i in enumerate(ordered, start=1)]
    )
    return True


async def add_payments(
    conn: asyncpg.Connection, payments: list[PaymentReceived], zone: ZoneInfo
) -> tuple[list[str], list[PaymentReceived]]:
    """Record payments (a payment id seen before is ignored); returns (loan ids touched, payments recorded)."""
    if not payments:
        return [], []
    rows = await conn.fetch(
        "INSERT INTO payments (payment_id, loan_id, amount, currency, paid_at, business_date, channel)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[],"
        " $6::date[], $7::text[]) ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id, loan_id",
        [p.payment_id for p in payments],
        [p.loan_id for p in payments],
        [p.amount for p in payments],
        [p.currency for p in payments],
        [p.paid_at for p in payments],
        [business_date(p.paid_at, zone) for p in payments],
        [p.channel for p in payments],
    )
    recorded_ids = {row["payment_id"] for row in rows}
    recorded = list({p.payment_id: p for p in reversed(payments) if p.payment_id in recorded_ids}.values())
    return list({row["loan_id"] for row in rows}), recorded


async def add_reversals(conn: asyncpg.Connection, reversals: list[PaymentReversed], zone: ZoneInfo) -> list[str]:
    if not reversals:
        return []
    rows = await conn.fetch(
        "INSERT INTO payment_reversals (payment_id, loan_id, amount, reversed_at, reversed_on, reason)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::date[], $6::text[])"
        " ON CONFLICT (payment_id) DO NOTHING RETURNING loan_id",
        [r.payment_id for r in reversals],
        [r.loan_id for r in reversals],
        [r.amount for r in reversals],
        [r.reversed_at for r in reversals],
        [business_date(r.reversed_at, zone) for r in reversals],
        [r.reason for r in reversals],
    )
    return list({row["loan_id"] for row in rows})


async def close_loan(conn: asyncpg.Connection, closure: LoanClosed, closes_on: date, announced_at: datetime) -> bool:
    """Record an active loan's closure, effective at the end of `closes_on`; False when it is unknown or
    already closed."""
    status = await conn.execute(
        "UPDATE loans SET status = 'closed', closed_reason = $2, closed_at = $3, closes_on = $4,"
        " closure_announced_at = $5 WHERE loan_id = $1 AND status = 'active'",
        closure.loan_id, closure.reason, closure.closed_at, closes_on, announced_at,
    )
    return status.endswith(" 1")


async def closures_due(conn: asyncpg.Connection, on: date) -> list[asyncpg.Record]:
    """Recorded closures effective on or before `on` whose loans are still followed, by loan id."""
    return await conn.fetch(
        "SELECT l.loan_id, l.closed_reason, l.closure_announced_at FROM loans l JOIN delinquency_state s"
        " USING (loan_id) WHERE l.status = 'closed' AND l.closes_on <= $1 AND NOT s.closed ORDER BY l.loan_id",
        on,
    )


async def loans_reversed_on(conn: asyncpg.Connection, day: date) -> list[str]:
    """The loans with a reversal dated `day` already read (ahead of the clock), in id order."""
    rows = await conn.fetch("SELECT DISTINCT loan_id FROM payment_reversals WHERE reversed_on = $1 ORDER BY loan_id",
                            day)
    return [row["loan_id"] for row in rows]
