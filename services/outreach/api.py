"""HTTP views: outcome callbacks, the borrower's rights (preferences, complaints, history), visit times."""
import uuid

import asyncpg
from aiohttp import web

from services.outreach import requests as body
from services.outreach.borrower_rights import complain, confirm_visit, resolve_complaint, set_preferences
from services.outreach.context import Outreach
from services.outreach.outcomes import OutcomeConflict, record_outcome
from services.outreach.store import contacts
from shared.db.unit_of_work import UnitOfWork
from shared.web import error, in_transaction, parse_body, require_role

DIALER, SUPERVISOR, PORTAL = "dialer", "supervisor", "customer_portal"


def routes(pool: asyncpg.Pool, ctx: Outreach, wake) -> list[web.RouteDef]:
    unit = UnitOfWork(pool, wake)

    async def transaction(work):
        return await in_transaction(unit, work)

    @require_role(DIALER, SUPERVISOR)
    async def outcome(request: web.Request) -> web.Response:
        report = await parse_body(request, body.OutcomeReport)
        attempt_id = request.match_info["attempt_id"]

        async def work(conn, now, after):
            promise = (report.promise.amount, report.promise.due_date) if report.promise else None
            try:
                messages = await record_outcome(conn, ctx, attempt_id, report.outcome, now, after, promise)
            except OutcomeConflict as conflict:
                return error(409, "outcome_conflict", "this attempt already has another outcome",
                             recorded=str(conflict)), []
            if messages is None:
                return error(404, "attempt_not_found", "no contact attempt with this id"), []
            return web.json_response({"attempt_id": attempt_id, "outcome": report.outcome}), messages

        return await transaction(work)

    @require_role(PORTAL, SUPERVISOR)
    async def preferences(request: web.Request) -> web.Response:
        update = await parse_body(request, body.PreferencesUpdate)
        return await transaction(lambda conn, now, after: set_preferences(conn, request.match_info["customer_id"],
                                                                          update, now))

    @require_role(PORTAL, SUPERVISOR)
    async def open_complaint(request: web.Request) -> web.Response:
        filed = await parse_body(request, body.ComplaintFiled)
        complaint_id = str(uuid.uuid4())
        return await transaction(lambda conn, now, after: complain(conn, ctx, complaint_id, filed, now))

    @require_role(SUPERVISOR)
    async def resolve(request: web.Request) -> web.Response:
        resolution = await parse_body(request, body.ComplaintResolution)
        return await transaction(lambda conn, now, after: resolve_complaint(
            conn, ctx, request.match_info["complaint_id"], resolution.resolution, now))

    @require_role(PORTAL, SUPERVISOR, DIALER)
    async def visit_confirmation(request: web.Request) -> web.Response:
        chosen = await parse_body(request, body.VisitConfirmation)
        return await transaction(lambda conn, now, after: confirm_visit(
            conn, ctx, request.match_info["customer_id"], chosen, now, after))

    @require_role(PORTAL, SUPERVISOR)
    async def history(request: web.Request) -> web.Response:
        async with pool.acquire() as conn:
            rows = await contacts.history(conn, request.match_info["customer_id"])
        return web.json_response({"customer_id": request.match_info["customer_id"],
                                  "contacts": [_jsonable(r) for r in rows]})

    return [
        web.post("/contact-attempts/{attempt_id}/outcome", outcome),
        web.post("/customers/{customer_id}/preferences", preferences),
        web.post("/complaints", open_complaint),
        web.post("/complaints/{complaint_id}/resolve", resolve),
        web.post("/customers/{customer_id}/visit-confirmation", visit_confirmation),
        web.get("/customers/{customer_id}/contact-history", history),
    ]


def _jsonable(row) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items()}
