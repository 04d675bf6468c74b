"""Work outside the consumer (HTTP requests, callbacks) in the same shape as a batch:
one transaction, the service clock's `now`, outbox rows committed with the change, then the relay woken."""
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from shared.db import clock as clock_store, outbox
from shared.db.transient import connection

Work = Callable[[asyncpg.Connection, datetime, list], Awaitable[tuple[Any, list]]]


class ClockNotStarted(Exception):
    """No tick yet: the service does not know the time."""


@dataclass(frozen=True)
class UnitOfWork:
    pool: asyncpg.Pool
    wake: Callable[[], None]

    async def run(self, work: Work, require_clock: bool = True) -> Any:
        """`require_clock=False` for work that needs no time (`now` is then None before the first tick)."""
        async with connection(self.pool) as conn, conn.transaction():
            now = (await clock_store.read_clock(conn)).now
            if now is None and require_clock:
                raise ClockNotStarted()
            after: list = []
            result, messages = await work(conn, now, after)
            await outbox.add(conn, messages)
        for action in after:
            action()
        if messages:
            self.wake()
        return result
