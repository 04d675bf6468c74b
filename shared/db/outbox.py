"""The outbox: events to publish, written in the same transaction as the change that causes them."""
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
        " FROM outbox WHERE sent_at IS NULL"
    )
    return int(row["n"]), float(row["age"])
