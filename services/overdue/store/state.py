"""Delinquency state and the service clock: the rules' memory between events."""
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class StateChange:
    loan_id: str
    case_seq: int
    case_id: str | None
    bucket: str | None
    settled: bool
    closed: bool


async def save_states(conn: asyncpg.Connection, changes: list[StateChange]) -> None:
    if not changes:
        return
    await conn.execute(
        "UPDATE delinquency_state s SET case_seq = c.case_seq, case_id = c.case_id, bucket = c.bucket,"
        " settled = c.settled, closed = c.closed"
        " FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bool[], $6::bool[])"
        " AS c(loan_id, case_seq, case_id, bucket, settled, closed) WHERE s.loan_id = c.loan_id",
        [c.loan_id for c in changes],
        [c.case_seq for c in changes],
        [c.case_id for c in changes],
        [c.bucket for c in changes],
        [c.settled for c in changes],
        [c.closed for c in changes],
    )


async def closing_snapshot(conn: asyncpg.Connection, loan_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT s.*, l.customer_id, l.currency, l.principal FROM delinquency_state s"
        " JOIN loans l USING (loan_id) WHERE s.loan_id = $1 AND NOT s.closed",
        loan_id,
    )
