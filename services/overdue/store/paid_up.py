"""What a payment leaves overdue on the day it was made, for the intra-day paid-up announcement."""
from datetime import date, datetime

import asyncpg

_POSITION_AT_PAYMENT = """
SELECT s.loan_id, s.case_id, l.customer_id, l.currency,
       coalesce((SELECT sum(i.amount_due) FROM instalments i WHERE i.loan_id = s.loan_id AND i.due_date < $2), 0)
           ::bigint AS due_before,
       coalesce((SELECT sum(i.amount_due) FROM instalments i WHERE i.loan_id = s.loan_id), 0)::bigint AS total_due,
       coalesce((SELECT sum(p.amount) FROM payments p WHERE p.loan_id = s.loan_id AND p.paid_at <= $3
                 AND NOT EXISTS (SELECT 1 FROM payment_reversals r
                                 WHERE r.payment_id = p.payment_id AND r.reversed_at <= $3)), 0)::bigint AS paid
FROM delinquency_state s JOIN loans l USING (loan_id)
WHERE s.loan_id = $1 AND s.case_id IS NOT NULL AND NOT s.closed AND s.paid_up_case IS DISTINCT FROM s.case_id
"""


async def position_at_payment(conn: asyncpg.Connection, loan_id: str, on: date, paid_at: datetime,
                              ) -> asyncpg.Record | None:
    """The loan's open case (one not yet announced paid up) with what was due before `on` and what was
    paid by `paid_at`; None when the loan has no such case."""
    return await conn.fetchrow(_POSITION_AT_PAYMENT, loan_id, on, paid_at)


async def mark_paid_up(conn: asyncpg.Connection, loan_id: str, case_id: str) -> None:
    await conn.execute("UPDATE delinquency_state SET paid_up_case = $2 WHERE loan_id = $1", loan_id, case_id)


async def payments_on(conn: asyncpg.Connection, day: date) -> list[asyncpg.Record]:
    """The payments of a business date already read, oldest first (read ahead of the clock)."""
    return await conn.fetch("SELECT payment_id, loan_id, paid_at FROM payments WHERE business_date = $1"
                            " ORDER BY paid_at, payment_id", day)
