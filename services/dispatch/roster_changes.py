"""A roster entry saved; visits its collector can no longer keep are re-assigned."""
import uuid
from datetime import datetime

import asyncpg
from aiohttp import web

from services.dispatch import convert
from services.dispatch.context import Dispatch
from services.dispatch.domain.cancellation import reassign_reason
from services.dispatch.domain.roster import problems
from services.dispatch.planner import assign_visit
from services.dispatch.requests import CollectorIn
from services.dispatch.store import roster, visits
from shared.kafka.batch import AfterCommit
from shared.web import error


async def save_collector(conn: asyncpg.Connection, ctx: Dispatch, collector_id: str | None, body: CollectorIn,
                         now: datetime | None, after: AfterCommit) -> tuple[web.Response, list]:
    """`now` is None before the first tick: nothing is planned yet, so nothing needs re-assigning."""
    collector_id = collector_id or f"col-{uuid.uuid4().hex[:12]}"  # PUT names it (e.g. the employee id)
    creating = not await roster.exists(conn, collector_id)
    row = convert.collector_row(collector_id, body)
    collector = convert.collector(row)
    faults = problems(collector)
    if faults:
        return error(422, "invalid_collector", "the roster entry cannot be dispatched", problems=faults), []
    await roster.upsert(conn, row, now)
    messages = []
    for visit_row in await visits.open_visits(conn, collector_id=collector_id, after=now) if now else []:
        visit = convert.visit_request(visit_row, ctx.collectors_per_visit)
        why = reassign_reason(collector, visit, ctx.policy)
        if why is not None:
            messages += await assign_visit(conn, ctx, visit_row, now, after,
                                           replacing=list(visit_row["collector_ids"]), why=f"collector_{why}")
    status = 201 if creating else 200
    return web.json_response({"collector_id": collector_id, "reassigned_visits": len(messages)}, status=status), messages
