"""A clock tick moves the service's time forward: the one way every service advances its clock."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from shared.db.clock import ClockState, read_clock, save_clock
from shared.db.tx import Tx
from shared.kafka.records import Incoming, Unprocessable
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW

CLOCK_JUMP = "clock_jump"
CLOCK_SKEW = "clock_skew"


async def advance_clock(tx: Tx, now: datetime) -> ClockState | None:
    """Move the stored clock to `now` and make it the transaction's time; returns the clock as it was.

    None for a tick that does not move time forward (a replayed or stale tick changes nothing)."""
    before = await read_clock(tx.conn)
    if before.now is not None and now <= before.now:
        return None
    await save_clock(tx.conn, ClockState(now, before.last_closed_date))
    tx.now = now
    tx.on_commit(lambda: _export(now))
    return before


def _export(now: datetime) -> None:
    CLOCK_NOW.set(now.timestamp())
    CLOCK_LAST_TICK.set_to_current_time()


@dataclass(frozen=True)
class TickGuard:
    """Time that cannot be hijacked: a tick is refused (dead-lettered as `clock_jump` or `clock_skew`)
    when it moves the clock further than `max_jump` past the last tick, or lies further than
    `max_skew` from the broker's timestamp of its record (0: not checked, for simulated time)."""

    max_jump: timedelta
    max_skew: timedelta = timedelta(0)

    async def check(self, conn: asyncpg.Connection, ticks: list[Incoming]) -> None:
        last = (await read_clock(conn)).now
        for tick in ticks:
            now = tick.data.now
            if last is not None and now - last > self.max_jump:
                raise Unprocessable(CLOCK_JUMP, f"now is more than {self.max_jump} after the last tick")
            written = getattr(tick.record, "timestamp", None)
            if self.max_skew and written is not None:
                broker_time = datetime.fromtimestamp(written / 1000, tz=UTC)
                if abs(now - broker_time) > self.max_skew:
                    raise Unprocessable(CLOCK_SKEW, f"now is more than {self.max_skew} from the record's timestamp")
            last = max(last, now) if last is not None else now
