"""A roster entry saved; visits its collector can no longer keep are re-assigned."""
import uuid
from dataclasses import dataclass, replace

from services.dispatch.assigning import assign_visit
from services.dispatch.context import Dispatch
from services.dispatch.domain.cancellation import reassign_reason
from services.dispatch.domain.roster import Collector, problems
from services.dispatch.requests import CollectorIn
from services.dispatch.store import roster, visits
from shared.db.tx import Tx
from shared.refusal import Invalid, NotFound


@dataclass(frozen=True)
class Saved:
    collector_id: str
    created: bool  # a new entry, not a change to one
    reassigned_visits: int  # visits planned again because this collector can no longer keep them


async def save_collector(tx: Tx, dispatch: Dispatch, collector_id: str | None, body: CollectorIn) -> Saved:
    """Create or replace an entry: PUT names it (e.g. the employee id), POST leaves the id to the service."""
    return await _save(tx, dispatch, body.collector(collector_id or f"col-{uuid.uuid4().hex[:12]}"))


async def deactivate_collector(tx: Tx, dispatch: Dispatch, collector_id: str) -> Saved:
    collector = await roster.collector(tx.conn, collector_id)
    if collector is None:
        raise NotFound("collector_not_found", "no collector with this id")
    return await _save(tx, dispatch, replace(collector, active=False))


async def _save(tx: Tx, dispatch: Dispatch, collector: Collector) -> Saved:
    """Before the first tick (`tx.now` None) nothing is planned yet, so nothing needs re-assigning."""
    if faults := problems(collector):
        raise Invalid("invalid_collector", "the roster entry cannot be dispatched", problems=faults)
    created = not await roster.exists(tx.conn, collector.collector_id)
    await roster.save(tx.conn, collector, tx.now)
    reassigned = 0
    if tx.now is not None:
        for row in await visits.not_begun_of(tx.conn, collector.collector_id, ending_after=tx.now):
            why = reassign_reason(collector, visits.request_of(row, dispatch.collectors_per_visit), dispatch.policy)
            if why is not None:
                await assign_visit(tx, dispatch, row, tx.now, replacing=list(row["collector_ids"]),
                                   why=f"collector_{why}")
                reassigned += 1
    return Saved(collector.collector_id, created, reassigned)
