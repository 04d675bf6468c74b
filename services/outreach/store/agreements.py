"""Agreements as agreement tracking announces them: in force from signed until broken, fulfilled or ended."""
from datetime import datetime
from typing import Literal

import asyncpg

Ending = Literal["broken", "fulfilled", "ended"]


async def signed(conn: asyncpg.Connection, agreement_id: str, loan_id: str, customer_id: str,
                 at: datetime) -> bool:
    """In force from now on; False if its end was already heard (events read out of order)."""
    await conn.execute(
        "INSERT INTO agreements (agreement_id, loan_id, customer_id, status, signed_at) VALUES ($1, $2, $3,"
        " 'signed', $4) ON CONFLICT (agreement_id) DO UPDATE SET signed_at = coalesce(agreements.signed_at, $4)",
        agreement_id, loan_id, customer_id, at,
    )
    return await conn.fetchval("SELECT status = 'signed' FROM agreements WHERE agreement_id = $1", agreement_id)


async def ended(conn: asyncpg.Connection, agreement_id: str, loan_id: str, customer_id: str, how: Ending,
                at: datetime) -> None:
    """No longer in force (the first end heard stands)."""
    await conn.execute(
        "INSERT INTO agreements (agreement_id, loan_id, customer_id, status, ended_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (agreement_id) DO UPDATE SET status = $4, ended_at = $5 WHERE agreements.status = 'signed'",
        agreement_id, loan_id, customer_id, how, at,
    )


async def in_force_on_loan(conn: asyncpg.Connection, loan_id: str) -> str | None:
    """The agreement in force on the loan (the latest signed, if ever more than one)."""
    return await conn.fetchval("SELECT agreement_id FROM agreements WHERE loan_id = $1 AND status = 'signed'"
                               " ORDER BY signed_at DESC NULLS LAST, agreement_id LIMIT 1", loan_id)
