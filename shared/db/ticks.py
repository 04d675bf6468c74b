"""A clock tick moves the service's time forward: the one way every service advances its clock."""
from datetime import datetime

from shared.db.clock import ClockState, read_clock, save_clock
from shared.db.tx import Tx
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW


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
