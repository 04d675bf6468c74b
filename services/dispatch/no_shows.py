"""Nobody checked in: the visit is re-planned for the same hours the next day, then handed back to outreach."""
from datetime import datetime, timedelta

import asyncpg

from services.dispatch import metrics
from services.dispatch.assigning import assign_visit
from services.dispatch.context import Dispatch
from services.dispatch.domain.cancellation import is_no_show, replan_after_no_show
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.rows import reference


async def handle_no_shows(tx: Tx, dispatch: Dispatch, now: datetime) -> None:
    """The store finds the assigned visits whose window is over; the no-show rule decides."""
    for row in await visits.ended_still_assigned(tx.conn, now):
        if is_no_show(row["window_end"], row["checked_in_at"], now):
            await _missed(tx, dispatch, row, now)


async def _missed(tx: Tx, dispatch: Dispatch, row: asyncpg.Record, now: datetime) -> None:
    visit_id, ref = row["visit_id"], reference(row, "visit_id")
    await visits.note_no_show(tx.conn, visit_id)
    if replan_after_no_show(row["no_shows"] + 1, dispatch.policy) == "replan":
        await visits.move_window(tx.conn, visit_id, row["window_start"] + timedelta(days=1),
                                 row["window_end"] + timedelta(days=1))
        tx.on_commit(lambda: metrics.VISITS_MISSED.labels("replanned").inc())
        tx.emit(contract.VisitMissed(replanned=True, **ref), key=row["customer_id"], time=now,
                cause=f"{visit_id}:missed:1")
        await assign_visit(tx, dispatch, await visits.visit(tx.conn, visit_id), now,
                           replacing=list(row["collector_ids"]), why="no_show")
        return
    await visits.cancel(tx.conn, visit_id, "no_show_reported")
    tx.on_commit(lambda: metrics.VISITS_MISSED.labels("reported").inc())
    for data in (contract.VisitMissed(replanned=False, **ref), contract.VisitCancelled(reason="no_show_reported",
                                                                                       **ref)):
        tx.emit(data, key=row["customer_id"], time=now, cause=f"{visit_id}:missed:final")
