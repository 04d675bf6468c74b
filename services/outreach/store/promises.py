"""Promises to pay, and the payments that keep them."""
from datetime import date, datetime

import asyncpg

from shared.events.loan import PaymentReceived, PaymentReversed


async def add(conn: asyncpg.Connection, promise_id: str, case_id: str, customer_id: str, loan_id: str,
              amount: int, currency: str, due_date: date, at: datetime, counts_until: datetime) -> bool:
    """A promise made at `at`: payments from then until `counts_until` count toward it."""
    status = await conn.execute(
        "INSERT INTO promises (promise_id, case_id, customer_id, loan_id, amount, currency, due_date, made_at, status,"
        " counts_until) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'open',$9) ON CONFLICT DO NOTHING",
        promise_id, case_id, customer_id, loan_id, amount, currency, due_date, at, counts_until,
    )
    return status.endswith(" 1")


async def record_payments(conn: asyncpg.Connection, payments: list[PaymentReceived]) -> None:
    await conn.executemany(
        "INSERT INTO loan_payments (payment_id, loan_id, amount, paid_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
        [(p.payment_id, p.loan_id, p.amount, p.paid_at) for p in payments],
    )


async def record_reversals(conn: asyncpg.Connection, reversals: list[PaymentReversed]) -> None:
    await conn.executemany("UPDATE loan_payments SET reversed = true WHERE payment_id = $1",
                           [(r.payment_id,) for r in reversals])


async def settle(conn: asyncpg.Connection, today: date, grace_days: int) -> list[asyncpg.Record]:
    """Open promises decided by now: kept once payments made between the promise and its deadline (its date plus
    the grace) cover it, broken after the grace.

    Returns the promises decided, with their new status.
    """
    return await conn.fetch(
        """
        WITH paid AS (
            SELECT p.promise_id, coalesce(sum(lp.amount) FILTER (WHERE NOT lp.reversed), 0)::bigint AS paid
            FROM promises p LEFT JOIN loan_payments lp ON lp.loan_id = p.loan_id AND lp.paid_at >= p.made_at
                 AND (p.counts_until IS NULL OR lp.paid_at < p.counts_until)
            WHERE p.status = 'open' GROUP BY p.promise_id
        )
        UPDATE promises p SET paid_amount = paid.paid,
               status = CASE WHEN paid.paid >= p.amount THEN 'kept' ELSE 'broken' END
        FROM paid WHERE p.promise_id = paid.promise_id
          AND (paid.paid >= p.amount OR p.due_date + $2::int < $1)
        RETURNING p.*
        """,
        today, grace_days,
    )


async def reversed_payment(conn: asyncpg.Connection, payment_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM loan_payments WHERE payment_id = $1 AND reversed)",
                               payment_id)
