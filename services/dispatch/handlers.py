"""Dispatch's batch handler: visit requests, the facts that forbid visits and the clock in; visit events out.

Events are handled in the order consumed, not grouped by type: within a partition a complaint
and a visit request of the same customer, say, mean something different in one order than in
the other.
"""
from dataclasses import dataclass
from datetime import datetime

from services.dispatch import conduct
from services.dispatch.context import Dispatch
from services.dispatch.no_shows import handle_no_shows
from services.dispatch.sandbox import play_field_team
from services.dispatch.scheduling import schedule_visit
from shared.db.ticks import advance_clock
from shared.db.tx import Tx
from shared.kafka.records import Incoming


@dataclass(frozen=True)
class DispatchHandler:
    dispatch: Dispatch

    async def __call__(self, tx: Tx, events: list[Incoming]) -> None:
        for event in events:
            now = tx.now or event.envelope.time  # before the first tick, the event's own time
            if event.type == "outreach.visit_requested":
                await schedule_visit(tx, self.dispatch, event.data, now)
            elif event.type == "clock.ticked":
                await self._tick(tx, event.data.now)
            elif event.type in conduct.FOLLOWED:
                await conduct.follow(tx, self.dispatch, event.type, event.data, now)

    async def _tick(self, tx: Tx, now: datetime) -> None:
        """Time moved on: the sandbox team (in make run) at the open doors, then the windows that ended."""
        if await advance_clock(tx, now) is None:
            return  # a replayed or stale tick
        if self.dispatch.sandbox_field_team:
            await play_field_team(tx, self.dispatch.policy.version)
        await handle_no_shows(tx, now)
