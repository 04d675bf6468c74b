"""The inbox: an event is handled once, however often it is delivered."""
import asyncpg


async def claim(conn: asyncpg.Connection, event_ids: list[str], topics: list[str]) -> set[str]:
    """Record the events as processed; returns the ids seen for the first time.

    Runs inside the caller's transaction, so the claim commits with the projection change.
    """
    if not event_ids:
        return set()
    rows = await conn.fetch(
        "INSERT INTO inbox (event_id, topic) SELECT * FROM unnest($1::text[], $2::text[])"
        " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        event_ids,
        topics,
    )
    return {row["event_id"] for row in rows}


async def forget_older_than(conn: asyncpg.Connection, days: int) -> None:
    """Redeliveries come within minutes; upstream resends within days. Keep ids for `days`."""
    await conn.execute("DELETE FROM inbox WHERE processed_at < now() - make_interval(days => $1)", days)
