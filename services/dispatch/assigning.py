"""Give a visit a team (or say why nobody can take it), through the pure assignment rules."""
from dataclasses import replace
from datetime import datetime

import asyncpg

from services.dispatch import metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.assignment import assign
from services.dispatch.domain.plan import Assignment, day_so_far
from services.dispatch.store import roster, visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.rows import reference


async def assign_visit(tx: Tx, dispatch: Dispatch, row: asyncpg.Record, now: datetime,
                       replacing: list[str] | None = None, why: str = "") -> None:
    """Assign (or re-assign, when `replacing` names the previous team) one visit, or say why nobody can.

    Each choice of team is announced under its own event id (the visit's assignment round)."""
    conn, visit = tx.conn, visits.request_of(row, dispatch.collectors_per_visit)
    if visit.window_start < now < visit.window_end:  # re-planned during the window: from now, not the past
        visit = replace(visit, window_start=now)
    collectors = await roster.active_collectors(conn)
    plan = day_so_far(await visits.bookings_on(conn, *visit.day_bounds), visit, dispatch.policy)
    result = assign(visit, collectors, plan, dispatch.policy)
    ref = reference(row, "visit_id")
    data: contract.VisitRef
    if isinstance(result, Assignment):
        team = list(result.collector_ids)
        round_ = await visits.set_assignment(conn, row["visit_id"], team, None, result.starts_at)
        if replacing is None:
            data = contract.VisitAssigned(collector_ids=team, planned_arrival=result.starts_at, **ref)
        else:
            data = contract.VisitReassigned(collector_ids=team, planned_arrival=result.starts_at,
                                            previous_collector_ids=replacing, reason=why, **ref)
        kind = "reassigned" if replacing is not None else "assigned"
        tx.on_commit(lambda: metrics.VISITS_ASSIGNED.labels(kind).inc())
    else:
        round_ = await visits.set_assignment(conn, row["visit_id"], [], result.reason, None)
        data = contract.VisitUnassignable(reason=result.reason, **ref)
        tx.on_commit(lambda: metrics.VISITS_UNASSIGNABLE.labels(result.reason).inc())
    tx.emit(data, key=row["customer_id"], time=now, cause=f"{row['visit_id']}:assignment:{round_}")
