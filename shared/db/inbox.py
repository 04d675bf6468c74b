"""The inbox: an event is handled once, however often it is delivered."""
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Claim:
    fresh: set[str]  # ids seen for the first time: handle them
    conflicts: dict[str, str]  # id seen before with other content -> the digest stored then


async def claim(conn: asyncpg.Connection, event_ids: list[str], topics: list[str],
                digests: list[str | None]) -> Claim:
    """Record the events as processed, with a digest of what each said.

    Runs inside the caller's transaction, so the claim commits with the projection change. An id
    seen before is a duplicate when its digest matches (or either has none), else a conflict."""
    if not event_ids:
        return Claim(set(), {})
    rows = await conn.fetch(
        "INSERT INTO inbox (event_id, topic, digest) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])"
        " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        event_ids, topics, digests,
    )
    fresh = {row["event_id"] for row in rows}
    received = {i: d for i, d in zip(event_ids, digests, strict=True) if i not in fresh and d is not None}
    if not received:
        return Claim(fresh, {})
    stored = await conn.fetch("SELECT event_id, digest FROM inbox WHERE event_id = ANY($1::text[])"
                              " AND digest IS NOT NULL", list(received))
    return Claim(fresh, {r["event_id"]: r["digest"] for r in stored if r["digest"] != received[r["event_id"]]})


async def forget_older_than(conn: asyncpg.Connection, days: int) -> None:
    """Redeliveries come within minutes; upstream resends within days. Keep ids for `days`."""
    await conn.execute("DELETE FROM inbox WHERE processed_at < now() - make_interval(days => $1)", days)


async def quarantine(conn: asyncpg.Connection, inbox_id: str, topic: str, partition: int, offset: int,
                     reason: str, value_bytes: int, value_sha256: str) -> None:
    """Set a message aside by position and digest, and claim its position, in one statement each."""
    await conn.execute(
        "INSERT INTO quarantine (inbox_id, topic, kafka_partition, kafka_offset, reason, value_bytes, value_sha256)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (inbox_id) DO NOTHING",
        inbox_id, topic, partition, offset, reason, value_bytes, value_sha256)
    await conn.execute("INSERT INTO inbox (event_id, topic) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
                       inbox_id, topic)
