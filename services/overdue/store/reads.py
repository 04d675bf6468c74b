"""Reads for the HTTP API and the portfolio gauges."""
import asyncpg


async def loan_for_statement(conn: asyncpg.Connection, loan_id: str):
    """(loan row, instalment rows, payment rows with the date of any reversal) or None for an unknown loan."""
    loan = await conn.fetchrow(
        "SELECT l.loan_id, l.customer_id, l.currency, l.status, l.closed_reason, s.case_id FROM loans l"
        " JOIN delinquency_state s USING (loan_id) WHERE l.loan_id = $1",
        loan_id,
    )
    if loan is None:
        return None
    instalments = await conn.fetch(
        "SELECT sequence, due_date, amount_due FROM instalments WHERE loan_id = $1 ORDER BY due_date, sequence",
        loan_id,
    )
    payments = await conn.fetch(
        "SELECT p.payment_id, p.amount, p.business_date, r.reversed_on FROM payments p"
        " LEFT JOIN payment_reversals r USING (payment_id) WHERE p.loan_id = $1",
        loan_id,
    )
    return loan, instalments, payments


async def portfolio(conn: asyncpg.Connection) -> dict:
    """Counts for the gauges: loans by status, overdue loans and amounts by bucket, held payments."""
    by_status = await conn.fetch("SELECT status, count(*) AS n FROM loans GROUP BY status")
    by_bucket = await conn.fetch(
        "SELECT bucket, count(*) AS n, sum(overdue_amount) AS amount FROM delinquency_state"
        " WHERE bucket IS NOT NULL AND NOT closed GROUP BY bucket"
    )
    held = await conn.fetchval(
        "SELECT count(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM loans l WHERE l.loan_id = p.loan_id)"
    )
    return {
        "loans_by_status": {r["status"]: r["n"] for r in by_status},
        "overdue_by_bucket": {r["bucket"]: (r["n"], int(r["amount"] or 0)) for r in by_bucket},
        "payments_held": held,
    }
