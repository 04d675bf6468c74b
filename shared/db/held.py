"""Events held until their time (shared/upstream.py decides when)."""
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class Held:
    topic: str
    partition: int
    offset: int
    event_id: str
    event_type: str
    message_key: str | None
    due: datetime
    message: bytes  # the event as structured CloudEvents JSON


async def hold(conn: asyncpg.Connection, events: list[Held]) -> None:
    if events:
        await conn.executemany(
            "INSERT INTO held_events (topic, partition, kafka_offset, event_id, event_type, message_key, due, message)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            [(e.topic, e.partition, e.offset, e.event_id, e.event_type, e.message_key, e.due, e.message)
             for e in events])


async def release(conn: asyncpg.Connection, bounds: dict[str, datetime]) -> list[Held]:
    """Take out the held events due by their topic's bound, in the order they take effect: by due
    time, then topic, partition and position (never by when they were read)."""
    if not bounds:
        return []
    rows = await conn.fetch(
        "DELETE FROM held_events h USING unnest($1::text[], $2::timestamptz[]) AS b(topic, bound)"
        " WHERE h.topic = b.topic AND h.due <= b.bound"
        " RETURNING h.topic, h.partition, h.kafka_offset, h.event_id, h.event_type, h.message_key, h.due, h.message",
        list(bounds), list(bounds.values()))
    held = [Held(r["topic"], r["partition"], r["kafka_offset"], r["event_id"], r["event_type"], r["message_key"],
                 r["due"], bytes(r["message"])) for r in rows]
    return sorted(held, key=lambda h: (h.due, h.topic, h.partition, h.offset))
