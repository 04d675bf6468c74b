"""Disputes with the merchant, as the loan system reports them."""
from datetime import date

import asyncpg

from shared.events.loan import LoanDisputed, LoanDisputeResolved


async def open_dispute(conn: asyncpg.Connection, dispute: LoanDisputed, opened_on: date) -> bool:
    """Record a dispute; False when it is known already."""
    status = await conn.execute(
        "INSERT INTO disputes (dispute_id, loan_id, reason, opened_at, opened_on) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (dispute_id) DO NOTHING",
        dispute.dispute_id, dispute.loan_id, dispute.reason, dispute.disputed_at, opened_on)
    return status.endswith(" 1")


async def resolve_dispute(conn: asyncpg.Connection, resolution: LoanDisputeResolved, resolved_on: date) -> bool:
    """Record a resolution of an open dispute of that loan; False when there is none to resolve."""
    status = await conn.execute(
        "UPDATE disputes SET outcome = $3, resolved_at = $4, resolved_on = $5"
        " WHERE dispute_id = $1 AND loan_id = $2 AND resolved_at IS NULL",
        resolution.dispute_id, resolution.loan_id, resolution.outcome, resolution.resolved_at, resolved_on)
    return status.endswith(" 1")


async def disputed_on(conn: asyncpg.Connection, loan_ids: list[str], on: date) -> set[str]:
    """The loans with a dispute open at the end of business date `on`."""
    rows = await conn.fetch(
        "SELECT DISTINCT loan_id FROM disputes WHERE loan_id = ANY($1::text[]) AND opened_on <= $2"
        " AND (resolved_on IS NULL OR resolved_on > $2)", loan_ids, on)
    return {row["loan_id"] for row in rows}


async def loan_party(conn: asyncpg.Connection, loan_id: str) -> asyncpg.Record | None:
    """Who the loan belongs to and its open case, for announcing a dispute."""
    return await conn.fetchrow(
        "SELECT l.loan_id, l.customer_id, s.case_id FROM loans l LEFT JOIN delinquency_state s USING (loan_id)"
        " WHERE l.loan_id = $1", loan_id)
