"""Nobody checked in: the visit goes back to outreach, which agrees a new time with the borrower."""
from datetime import datetime

import asyncpg

from services.dispatch import metrics
from services.dispatch.domain.cancellation import is_no_show
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.rows import reference


async def handle_no_shows(tx: Tx, now: datetime) -> None:
    """The store finds the assigned visits whose window is over; the no-show rule decides."""
    for row in await visits.ended_still_assigned(tx.conn, now):
        if is_no_show(row["window_end"], row["checked_in_at"], now):
            await _missed(tx, row, now)


async def _missed(tx: Tx, row: asyncpg.Record, now: datetime) -> None:
    """Handed back to outreach, which agrees a new time with the borrower: a visit never moves to a time
    the borrower did not confirm."""
    visit_id, ref = row["visit_id"], reference(row, "visit_id")
    await visits.note_no_show(tx.conn, visit_id)
    await visits.cancel(tx.conn, visit_id, "no_show_reported")
    tx.on_commit(lambda: metrics.VISITS_MISSED.labels("reported").inc())
    for data in (contract.VisitMissed(replanned=False, **ref), contract.VisitCancelled(reason="no_show_reported",
                                                                                       **ref)):
        tx.emit(data, key=row["customer_id"], time=now, cause=f"{visit_id}:missed:final")
