"""HTTP views: outcome callbacks, the borrower's rights (preferences, complaints, history), visit times.

Each view checks the role, parses the body (a clear 400 otherwise), runs one use case in a unit of
work and shapes the JSON; a refusal becomes its JSON error in shared/web.py, and no clock tick yet
is a 503. A borrower's token (customer_portal, bound to one customer) acts only for that customer:
the customer in the path or the complaint's body must be its own (403 `not_your_customer`); staff act
for anyone.
"""
import uuid
from typing import Any

from aiohttp import web

from services.outreach import borrower_rights as rights
from services.outreach import requests as body
from services.outreach.context import Outreach
from services.outreach.domain.model import Preferences
from services.outreach.domain.windows import HoursWindow
from services.outreach.outcomes import record_outcome
from shared.db.tx import UnitOfWork
from shared.web import parse_body, require_role, speaks_for_customer

DIALER, SUPERVISOR, PORTAL = "dialer", "supervisor", "customer_portal"


def routes(unit: UnitOfWork, ctx: Outreach) -> list[web.RouteDef]:
    @require_role(DIALER, SUPERVISOR)
    async def outcome(request: web.Request) -> web.Response:
        report = await parse_body(request, body.OutcomeReport)
        attempt_id = request.match_info["attempt_id"]
        promise = (report.promise.amount, report.promise.due_date) if report.promise else None
        await unit.run(lambda tx: record_outcome(tx, ctx, attempt_id, report.outcome, promise))
        return web.json_response({"attempt_id": attempt_id, "outcome": report.outcome})

    @require_role(PORTAL, SUPERVISOR)
    async def preferences(request: web.Request) -> web.Response:
        customer_id = request.match_info["customer_id"]
        speaks_for_customer(request, customer_id)
        update = await parse_body(request, body.PreferencesUpdate)
        changed_at = await unit.run(lambda tx: rights.set_preferences(tx, customer_id, _preferences(update)))
        return web.json_response({"customer_id": customer_id, **update.model_dump(mode="json"),
                                  "changed_at": changed_at.isoformat()})

    @require_role(PORTAL, SUPERVISOR)
    async def open_complaint(request: web.Request) -> web.Response:
        filed = await parse_body(request, body.ComplaintFiled)
        speaks_for_customer(request, filed.customer_id)
        complaint_id = str(uuid.uuid4())
        await unit.run(lambda tx: rights.complain(tx, ctx, complaint_id, filed.customer_id, filed.category,
                                                  filed.description))
        return web.json_response({"complaint_id": complaint_id, "status": "open"}, status=201)

    @require_role(SUPERVISOR)
    async def resolve(request: web.Request) -> web.Response:
        resolution = await parse_body(request, body.ComplaintResolution)
        complaint_id = request.match_info["complaint_id"]
        await unit.run(lambda tx: rights.resolve_complaint(tx, ctx, complaint_id, resolution.resolution))
        return web.json_response({"complaint_id": complaint_id, "status": "resolved"})

    @require_role(PORTAL, SUPERVISOR, DIALER)
    async def visit_confirmation(request: web.Request) -> web.Response:
        customer_id = request.match_info["customer_id"]
        speaks_for_customer(request, customer_id)
        chosen = await parse_body(request, body.VisitConfirmation)
        requested = await unit.run(lambda tx: rights.confirm_visit(tx, ctx, customer_id, chosen.slot,
                                                                   chosen.offer_id))
        return web.json_response({"visit_request_id": requested.visit_request_id,
                                  "window_start": requested.window_start.isoformat(),
                                  "window_end": requested.window_end.isoformat()}, status=201)

    @require_role(PORTAL, SUPERVISOR)
    async def history(request: web.Request) -> web.Response:
        customer_id = request.match_info["customer_id"]
        speaks_for_customer(request, customer_id)
        contacts = await unit.read(lambda conn: rights.contact_history(conn, customer_id))
        return web.json_response({"customer_id": customer_id, "contacts": [_jsonable(c) for c in contacts]})

    return [
        web.post("/contact-attempts/{attempt_id}/outcome", outcome),
        web.post("/customers/{customer_id}/preferences", preferences),
        web.post("/complaints", open_complaint),
        web.post("/complaints/{complaint_id}/resolve", resolve),
        web.post("/customers/{customer_id}/visit-confirmation", visit_confirmation),
        web.get("/customers/{customer_id}/contact-history", history),
    ]


def _preferences(update: body.PreferencesUpdate) -> Preferences:
    hours = update.preferred_hours  # the request model has checked that it starts before it ends
    window = HoursWindow(hours.start, hours.end) if hours else None
    return Preferences(update.stop_contact, update.preferred_channel, window)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
