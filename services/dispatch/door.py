"""What collectors report from the door: arrival, then what happened."""
from datetime import datetime

import asyncpg
from aiohttp import web

from services.dispatch import metrics
from services.dispatch.context import Dispatch
from services.dispatch.events_out import dispatch_message
from services.dispatch.requests import CheckIn, VisitOutcomeIn
from services.dispatch.store import visits
from shared.events import dispatch as contract
from shared.kafka.batch import AfterCommit
from shared.web import error


async def check_in(conn: asyncpg.Connection, ctx: Dispatch, visit_id: str, body: CheckIn, now: datetime,
                   after: AfterCommit) -> tuple[web.Response, list]:
    row = await visits.visit(conn, visit_id, lock=True)
    refusal = _refusal(row, body.collector_id, ("assigned",))
    if refusal is not None:  # a Response is falsy (it is an empty mapping): compare with None
        return refusal, []
    if not row["window_start"] <= now < row["window_end"]:
        return error(409, "outside_confirmed_window", "a visit happens only inside the window the borrower "
                     "confirmed", window_start=row["window_start"].isoformat(),
                     window_end=row["window_end"].isoformat()), []
    await visits.check_in(conn, visit_id, body.collector_id, now)
    data = contract.VisitCheckedIn(collector_id=body.collector_id, checked_in_at=now, **_ref(row))
    message = dispatch_message(data, topic=ctx.topic, key=row["customer_id"], time=now, cause=f"{visit_id}:in")
    return web.json_response({"visit_id": visit_id, "status": "checked_in"}), [message]


async def record_outcome(conn: asyncpg.Connection, ctx: Dispatch, visit_id: str, body: VisitOutcomeIn,
                         now: datetime, after: AfterCommit) -> tuple[web.Response, list]:
    row = await visits.visit(conn, visit_id, lock=True)
    refusal = _refusal(row, body.collector_id, ("checked_in",))
    if refusal is not None:
        return refusal, []
    if (body.outcome == "negotiated") != (body.terms is not None):
        return error(400, "terms_mismatch", "negotiated terms come with, and only with, a negotiated outcome"), []
    terms = body.terms.model_dump(mode="json") if body.terms else None
    await visits.complete(conn, visit_id, body.outcome, terms, body.evidence, body.notes, now)
    after.append(lambda: metrics.VISITS_COMPLETED.labels(body.outcome).inc())
    data = contract.VisitCompleted(collector_id=body.collector_id, outcome=body.outcome, terms=body.terms,
                                   evidence=body.evidence, completed_at=now, **_ref(row))
    message = dispatch_message(data, topic=ctx.topic, key=row["customer_id"], time=now, cause=f"{visit_id}:done")
    return web.json_response({"visit_id": visit_id, "status": "completed", "outcome": body.outcome}), [message]


def _refusal(row, collector_id: str, allowed_statuses: tuple[str, ...]) -> web.Response | None:
    if row is None:
        return error(404, "visit_not_found", "no visit with this id")
    if collector_id not in row["collector_ids"]:
        return error(403, "not_your_visit", "this collector is not assigned to the visit")
    if row["status"] not in allowed_statuses:
        return error(409, "wrong_visit_status", "the visit is not in a state that allows this",
                     visit_status=row["status"])
    return None


def _ref(row) -> dict:
    return dict(visit_id=row["visit_id"], case_id=row["case_id"], loan_id=row["loan_id"],
                customer_id=row["customer_id"])
