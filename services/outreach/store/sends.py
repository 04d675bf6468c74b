"""The sender's SQL: claim due attempts under a lease, take each for its hand-off, then record each result only
once."""
from datetime import datetime, timedelta

import asyncpg

_DUE = ("SELECT attempt_id, customer_id, channel, recipient, destination, message, dispatch_tries"
        " FROM contact_attempts WHERE dispatch_status = 'pending' AND next_dispatch_at <= $1"
        " ORDER BY next_dispatch_at LIMIT $2 FOR UPDATE SKIP LOCKED")
_LEASE = "UPDATE contact_attempts SET next_dispatch_at = $2 WHERE attempt_id = ANY($1::text[])"
# Still to be sent, and this try not recorded by another sender (after a lease ran out).
_UNSENT = "SELECT * FROM contact_attempts WHERE attempt_id = $1 AND dispatch_status = 'pending' AND dispatch_tries = $2"
# A send that went through is the truth, even for an attempt cancelled in the instant it was in flight.
_SENT = ("UPDATE contact_attempts SET dispatch_status = 'sent', dispatch_tries = dispatch_tries + 1, sent_at = $2"
         " WHERE attempt_id = $1 AND dispatch_status IN ('pending', 'cancelled')")
# Applies only if no other sender recorded this try meanwhile (after a lease ran out).
_NOT_SENT = ("UPDATE contact_attempts SET dispatch_status = $2, dispatch_tries = $3,"
             " next_dispatch_at = coalesce($4, next_dispatch_at)"
             " WHERE attempt_id = $1 AND dispatch_status = 'pending' AND dispatch_tries = $3 - 1")


async def claim_due(conn: asyncpg.Connection, now: datetime, limit: int, lease: timedelta) -> list[asyncpg.Record]:
    """Due pending attempts, made invisible to other senders until `now + lease` (service time).

    Run in a transaction: the rows stay locked until the lease is written."""
    rows = await conn.fetch(_DUE, now, limit)
    if rows:
        await conn.execute(_LEASE, [row["attempt_id"] for row in rows], now + lease)
    return rows


async def take_unsent(conn: asyncpg.Connection, attempt_id: str, tries: int) -> asyncpg.Record | None:
    """The attempt as it is now, locked to the end of the transaction, if it is still to be sent on this try:
    None once it was cancelled, or another sender recorded this try."""
    return await conn.fetchrow(_UNSENT + " FOR UPDATE", attempt_id, tries)


async def record_sent(conn: asyncpg.Connection, attempt_id: str, sent_at: datetime) -> bool:
    """The gateway or dialer accepted the attempt handed to it at `sent_at` (service time)."""
    return (await conn.execute(_SENT, attempt_id, sent_at)).endswith(" 1")


async def record_not_sent(conn: asyncpg.Connection, attempt_id: str, tries: int, retry_at: datetime | None) -> bool:
    """`tries` made so far; retry_at None means given up ('failed'). False if someone else recorded first."""
    status = "failed" if retry_at is None else "pending"
    return (await conn.execute(_NOT_SENT, attempt_id, status, tries, retry_at)).endswith(" 1")
