"""Give a visit a team (or say why nobody can take it), through the pure assignment rules."""
from collections import defaultdict
from dataclasses import replace
from datetime import datetime

import asyncpg

from services.dispatch import convert, metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.assignment import assign
from services.dispatch.domain.geo import Point
from services.dispatch.domain.plan import Assignment, DayPlan, Progress
from services.dispatch.events_out import dispatch_message
from services.dispatch.store import roster, visits
from shared.db.outbox import OutboxMessage
from shared.events import dispatch as contract
from shared.kafka.batch import AfterCommit


async def assign_visit(conn: asyncpg.Connection, ctx: Dispatch, row, now: datetime, after: AfterCommit,
                       replacing: list[str] | None = None, why: str = "") -> list[OutboxMessage]:
    """Assign (or re-assign, when `replacing` names the previous team) one visit."""
    visit = convert.visit_request(row, ctx.collectors_per_visit)
    if visit.window_start < now < visit.window_end:  # re-planned during the window: from now, not the past
        visit = replace(visit, window_start=now)
    collectors = [convert.collector(r) for r in await roster.active_collectors(conn)]
    result = assign(visit, collectors, await _day_plan(conn, visit, ctx, row["visit_id"]), ctx.policy)
    ref = dict(visit_id=row["visit_id"], case_id=row["case_id"], loan_id=row["loan_id"],
               customer_id=row["customer_id"])
    if isinstance(result, Assignment):
        team = list(result.collector_ids)
        round_ = await visits.set_assignment(conn, row["visit_id"], team, None, result.starts_at)
        if replacing is None:
            data = contract.VisitAssigned(collector_ids=team, planned_arrival=result.starts_at, **ref)
        else:
            data = contract.VisitReassigned(collector_ids=team, planned_arrival=result.starts_at,
                                            previous_collector_ids=replacing, reason=why, **ref)
        kind = "reassigned" if replacing is not None else "assigned"
        after.append(lambda: metrics.VISITS_ASSIGNED.labels(kind).inc())
        cause = f"{row['visit_id']}:assignment:{round_}"  # each choice of team announced under its own id
    else:
        round_ = await visits.set_assignment(conn, row["visit_id"], [], result.reason, None)
        data = contract.VisitUnassignable(reason=result.reason, **ref)
        after.append(lambda: metrics.VISITS_UNASSIGNABLE.labels(result.reason).inc())
        cause = f"{row['visit_id']}:assignment:{round_}"
    return [dispatch_message(data, topic=ctx.topic, key=row["customer_id"], time=now, cause=cause)]


async def _day_plan(conn: asyncpg.Connection, visit, ctx: Dispatch, own_id: str) -> DayPlan:
    """Each collector's day so far (other visits only): the load counts every visit of the day; the
    previous stop and when they are free count only visits over before this one's window opens
    (borrowers confirm slots in any order, so a later booking may be for an earlier hour)."""
    start, end = convert.day_bounds(visit)
    progress: dict[str, Progress] = defaultdict(Progress)
    for row in await visits.loads_on(conn, start, end):
        if row["visit_id"] == own_id:
            continue
        before = progress[row["collector_id"]]
        free_at = (row["planned_start"] or row["window_start"]) + ctx.policy.duration
        if free_at > visit.window_start:
            progress[row["collector_id"]] = Progress(before.load + 1, before.at, before.free_at)
            continue
        at = Point(row["lat"], row["lon"]) if row["lat"] is not None else before.at
        progress[row["collector_id"]] = Progress(before.load + 1, at, max(free_at, before.free_at or free_at))
    return DayPlan(dict(progress))
