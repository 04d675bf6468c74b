"""Disputes of a loan's purchase with the merchant: a loan with one not resolved is not collected."""
from datetime import datetime

import asyncpg

REPORTED = "snapshot"  # a dispute a delinquency snapshot reported as open when no announced one was


async def opened(conn: asyncpg.Connection, loan_id: str, dispute_id: str, at: datetime) -> None:
    """Open, unless its resolution was already heard (events of one dispute read out of order)."""
    await conn.execute(
        "INSERT INTO loan_disputes (loan_id, dispute_id, opened_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (loan_id, dispute_id) DO UPDATE SET opened_at = coalesce(loan_disputes.opened_at, $3)",
        loan_id, dispute_id, at,
    )


async def resolved(conn: asyncpg.Connection, loan_id: str, dispute_id: str, at: datetime) -> None:
    """Resolved for good; a dispute only reported by a snapshot is taken to be this one."""
    await conn.execute(
        "INSERT INTO loan_disputes (loan_id, dispute_id, resolved_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (loan_id, dispute_id) DO UPDATE SET resolved_at = coalesce(loan_disputes.resolved_at, $3)",
        loan_id, dispute_id, at,
    )
    await conn.execute("UPDATE loan_disputes SET resolved_at = $3 WHERE loan_id = $1 AND dispute_id = $2"
                       " AND resolved_at IS NULL", loan_id, REPORTED, at)


async def reported(conn: asyncpg.Connection, loan_id: str, disputed: bool, at: datetime) -> bool:
    """A delinquency snapshot's `disputed` flag: open a reported dispute when none is known to be open, or resolve
    the reported one when the flag is down (announced disputes end only with their resolution). True when the
    loan's dispute state changed."""
    if disputed:
        status = await conn.execute(
            "INSERT INTO loan_disputes (loan_id, dispute_id, opened_at) SELECT $1, $2, $3"
            " WHERE NOT EXISTS (SELECT 1 FROM loan_disputes WHERE loan_id = $1 AND resolved_at IS NULL)"
            " ON CONFLICT (loan_id, dispute_id) DO UPDATE SET opened_at = $3, resolved_at = NULL",
            loan_id, REPORTED, at,
        )
    else:
        status = await conn.execute("UPDATE loan_disputes SET resolved_at = $3 WHERE loan_id = $1"
                                    " AND dispute_id = $2 AND resolved_at IS NULL", loan_id, REPORTED, at)
    return status.endswith(" 1")
