"""The outbox: events to publish, written in the same transaction as the change that causes them,
and the relay's SQL over it (shared/kafka/relay.py)."""
import json
from dataclasses import dataclass, field

import asyncpg


@dataclass(frozen=True)
class OutboxMessage:
    event_id: str
    topic: str
    key: str | None
    payload: bytes
    headers: dict[str, str] = field(default_factory=dict)


async def add(conn: asyncpg.Connection, messages: list[OutboxMessage]) -> None:
    if not messages:
        return
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, message_key, payload, headers)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])",
        [m.event_id for m in messages],
        [m.topic for m in messages],
        [m.key for m in messages],
        [m.payload for m in messages],
        [json.dumps(m.headers) for m in messages],
    )


async def backlog(conn: asyncpg.Connection) -> tuple[int, float]:
    """(unsent rows, age in seconds of the oldest unsent row)."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age"
        " FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
    )
    return int(row["n"]), float(row["age"])


_PUBLISHER_LOCK = 7_201_002  # one relay of a service publishes at a time: per-key order holds


async def take_publisher_lock(conn: asyncpg.Connection) -> bool:
    """Transaction-scoped; False when another relay of this service holds it."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _PUBLISHER_LOCK))


async def claim_unsent(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT id, event_id, topic, message_key, payload, headers FROM outbox"
        " WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", limit))


async def mark_sent(conn: asyncpg.Connection, row_ids: list[int]) -> None:
    await conn.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", row_ids)


async def set_aside(conn: asyncpg.Connection, failures: dict[int, str]) -> None:
    """Rows the broker refused for good: kept with the reason, never claimed again."""
    if failures:
        await conn.execute(
            "UPDATE outbox SET failed_at = now(), failure = f.failure"
            " FROM unnest($1::bigint[], $2::text[]) AS f(id, failure) WHERE outbox.id = f.id",
            list(failures), list(failures.values()))


async def unsent_topics(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT DISTINCT topic FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
    return [r["topic"] for r in rows]


async def mark_published(conn: asyncpg.Connection, event_ids: set[str]) -> int:
    """Unsent rows whose events are already on the broker (read back after a crash); how many."""
    status = await conn.execute(
        "UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND event_id = ANY($1::text[])", list(event_ids))
    return int(status.split()[-1])


async def forget_sent(conn: asyncpg.Connection, older_than_seconds: float) -> None:
    await conn.execute("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)",
                       float(older_than_seconds))
