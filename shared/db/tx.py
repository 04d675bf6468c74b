"""One unit of work for every entry point: a consumed batch, an HTTP request, a worker's step.

A `Tx` is one Postgres transaction with the service's time (`now`), the events it emits (written
to the outbox in the same transaction) and what must happen only once it commits (counting a
business metric). `UnitOfWork.run` opens it, runs the work, writes the outbox, commits, then
runs the on-commit actions and wakes the relay.
"""
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import asyncpg
from pydantic import BaseModel

from shared.db import clock as clock_store
from shared.db import outbox
from shared.db.outbox import OutboxMessage
from shared.db.transient import connection
from shared.events.codec import encode
from shared.events.kafka_binding import CONTENT_TYPE, STRUCTURED_JSON
from shared.refusal import ClockNotStarted

T = TypeVar("T")


@dataclass(frozen=True)
class Emitter:
    """How one service names and addresses its events: its CloudEvents source, its topic, and the
    namespace its event ids are derived in (never change it: ids must survive replays)."""

    source: str
    topic: str
    namespace: uuid.UUID

    def message(self, data: BaseModel, *, key: str, time: datetime, cause: str | None = None,
                event_id: str | None = None) -> OutboxMessage:
        """`cause` (a decision id, an attempt and its outcome…) derives the event id, so the same
        cause handled twice yields the same id and downstream inboxes drop the copy."""
        if event_id is None:
            if cause is None:
                raise ValueError("an emitted event needs a cause or an explicit event id")
            event_id = str(uuid.uuid5(self.namespace, f"{type(data).__name__}:{cause}"))
        event_id, payload = encode(data, source=self.source, time=time, subject=key, event_id=event_id)
        return OutboxMessage(event_id=event_id, topic=self.topic, key=key, payload=payload,
                             headers={CONTENT_TYPE: STRUCTURED_JSON})


@dataclass
class Tx:
    conn: asyncpg.Connection
    now: datetime | None
    emitter: Emitter
    outbox: list[OutboxMessage] = field(default_factory=list)
    _on_commit: list[Callable[[], object]] = field(default_factory=list)

    @property
    def time(self) -> datetime:
        """The service's time; only for work that requires the clock (see UnitOfWork.run)."""
        if self.now is None:
            raise ClockNotStarted()
        return self.now

    def emit(self, data: BaseModel, *, key: str, cause: str | None = None, event_id: str | None = None,
             time: datetime | None = None) -> None:
        """Publish `data` once this transaction commits (through the outbox); `time` defaults to now."""
        self.outbox.append(self.emitter.message(data, key=key, time=time or self.time, cause=cause,
                                                event_id=event_id))

    def emit_messages(self, *messages: OutboxMessage) -> None:
        """Already-built outbox rows (a dead letter keeps the original bytes)."""
        self.outbox.extend(messages)

    def on_commit(self, action: Callable[[], object]) -> None:
        self._on_commit.append(action)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Work that may fail on its own (one case of many at a tick): on an exception its changes,
        emitted events and on-commit actions are undone, and the rest of the transaction goes on."""
        emitted, actions = len(self.outbox), len(self._on_commit)
        try:
            async with self.conn.transaction():
                yield
        except BaseException:
            del self.outbox[emitted:]
            del self._on_commit[actions:]
            raise

    def committed(self) -> None:
        for action in self._on_commit:
            action()


@dataclass(frozen=True)
class UnitOfWork:
    pool: asyncpg.Pool
    emitter: Emitter
    wake: Callable[[], None] = lambda: None  # the relay: there is something to publish

    async def run(self, work: Callable[[Tx], Awaitable[T]], require_clock: bool = True) -> T:
        """`require_clock=False` for work that needs no time (`tx.now` is None before the first tick)."""
        async with connection(self.pool) as conn, conn.transaction():
            now = (await clock_store.read_clock(conn)).now
            if now is None and require_clock:
                raise ClockNotStarted()
            tx = Tx(conn, now, self.emitter)
            result = await work(tx)
            await outbox.add(conn, tx.outbox)
        tx.committed()
        if tx.outbox:
            self.wake()
        return result

    async def read(self, query: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """A read outside any transaction (a view that changes nothing)."""
        async with connection(self.pool) as conn:
            return await query(conn)
