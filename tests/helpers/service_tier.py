"""The service-layer test tier: handlers and use cases on a real Postgres, no Kafka.

Each service gets one migrated database for the whole session; every test runs inside a
transaction that is rolled back, so tests neither see nor disturb each other and take
milliseconds. What a use case emitted is in `tx.outbox`, decoded by `emitted(tx)`.
"""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from shared.db.migrate import migrate
from shared.db.pool import open_pool
from shared.db.tx import Emitter, Tx
from shared.events.codec import decode
from shared.kafka.records import Incoming, classify
from tests.helpers.stack import Stack


class ServiceDatabase:
    """One migrated database of a service, created once per test session."""

    def __init__(self, stack: Stack, service: str, migrations: Path):
        self.stack, self.service, self.migrations = stack, service, migrations
        self.url: str | None = None

    async def ensure(self) -> str:
        if self.url is None:
            url = await self.stack.create_database(self.service)
            pool = await open_pool(url, max_size=1)
            try:
                await migrate(pool, self.migrations)
            finally:
                await pool.close()
            self.url = url
        return self.url

    async def drop(self) -> None:
        if self.url is not None:
            await self.stack.drop_database(self.url)

    @asynccontextmanager
    async def rolled_back(self, emitter: Emitter, now: datetime | None) -> AsyncIterator[Tx]:
        """A Tx at `now` inside a transaction that is always rolled back."""
        conn = await asyncpg.connect(await self.ensure())
        transaction = conn.transaction()
        await transaction.start()
        try:
            yield Tx(conn, now, emitter)
        finally:
            await transaction.rollback()
            await conn.close()


class _Record:
    def __init__(self, topic: str, offset: int, key: str | None, value: bytes):
        self.topic, self.partition, self.offset = topic, 0, offset
        self.key = key.encode() if key is not None else None
        self.value = value
        self.headers: tuple = ()  # structured mode, as every producer of the tests writes


def incoming(topic: str, *messages: tuple[str | None, bytes]) -> list[Incoming]:
    """(key, value) pairs as the consumer would hand them to a handler, decoded by the one codec."""
    items = [classify(_Record(topic, offset, key, value)) for offset, (key, value) in enumerate(messages)]
    assert all(isinstance(i, Incoming) for i in items), "a test event failed to decode"
    return items  # type: ignore[return-value]


def emitted(tx: Tx) -> list[tuple[str, Any]]:
    """What the unit of work emitted so far: (CloudEvents type, data)."""
    decoded = [decode(m.payload) for m in tx.outbox]
    return [(d.envelope.type, d.data) for d in decoded]
