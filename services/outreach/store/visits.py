"""Visit-time offers: the borrower picks a slot before anyone is sent to the door."""
import json
from datetime import datetime

import asyncpg


async def offer(conn: asyncpg.Connection, offer_id: str, case_id: str, customer_id: str,
                slots: list[tuple[datetime, datetime]], at: datetime) -> None:
    await conn.execute("UPDATE visit_offers SET status = 'expired' WHERE case_id = $1 AND status = 'offered'", case_id)
    await conn.execute(
        "INSERT INTO visit_offers (offer_id, case_id, customer_id, slots, offered_at, status)"
        " VALUES ($1, $2, $3, $4, $5, 'offered') ON CONFLICT DO NOTHING",
        offer_id, case_id, customer_id, json.dumps([[s.isoformat(), e.isoformat()] for s, e in slots]), at,
    )


async def open_offer(conn: asyncpg.Connection, customer_id: str, offer_id: str | None):
    """The customer's offer still waiting for an answer (a given one, or the latest)."""
    row = await conn.fetchrow(
        "SELECT offer_id, case_id, slots FROM visit_offers WHERE customer_id = $1 AND status = 'offered'"
        " AND ($2::text IS NULL OR offer_id = $2) ORDER BY offered_at DESC LIMIT 1 FOR UPDATE", customer_id, offer_id,
    )
    if row is None:
        return None
    slots = [(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in json.loads(row["slots"])]
    return row["offer_id"], row["case_id"], slots


async def confirm(conn: asyncpg.Connection, offer_id: str, start: datetime, end: datetime) -> None:
    await conn.execute("UPDATE visit_offers SET status = 'confirmed', confirmed_start = $2, confirmed_end = $3"
                       " WHERE offer_id = $1", offer_id, start, end)


async def expire_open(conn: asyncpg.Connection, case_ids: list[str]) -> None:
    """The cases' offers still open can no longer be taken up."""
    await conn.execute("UPDATE visit_offers SET status = 'expired' WHERE case_id = ANY($1::text[])"
                       " AND status = 'offered'", case_ids)


async def withdraw(conn: asyncpg.Connection, offer_id: str) -> None:
    """An offer whose message was never sent cannot be taken up."""
    await conn.execute("UPDATE visit_offers SET status = 'expired' WHERE offer_id = $1 AND status = 'offered'",
                       offer_id)
