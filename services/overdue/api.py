"""HTTP views: the borrower's itemised statement (the right to know)."""
from datetime import date
from zoneinfo import ZoneInfo

import asyncpg
from aiohttp import web

from services.overdue.domain.calendar import business_date
from services.overdue.domain.allocation import Payment, ScheduledInstalment
from services.overdue.domain.delinquency import Policy
from services.overdue.domain.statement import build_statement
from services.overdue.store import reads
from shared.db import clock as clock_store
from shared.web import error, require_role

STATEMENT_READERS = ("customer_portal", "supervisor", "collector", "dialer")


def routes(pool: asyncpg.Pool, policy: Policy, zone: ZoneInfo) -> list[web.RouteDef]:
    @require_role(*STATEMENT_READERS)
    async def statement(request: web.Request) -> web.Response:
        loan_id = request.match_info["loan_id"]
        async with pool.acquire() as conn:
            found = await reads.loan_for_statement(conn, loan_id)
            clock = await clock_store.read_clock(conn)
        if found is None:
            return error(404, "loan_not_found", "no loan with this id")
        loan, instalments, payments = found
        try:
            on = _statement_date(request, clock, zone)
        except ValueError:
            return error(400, "invalid_date", "`on` must be an ISO date (YYYY-MM-DD)")
        if on is None:
            return error(503, "clock_not_started", "no clock tick yet: the service does not know today's date")
        result = build_statement(
            loan["loan_id"], loan["currency"],
            [ScheduledInstalment(r["sequence"], r["due_date"], r["amount_due"]) for r in instalments],
            [Payment(r["payment_id"], r["amount"], r["business_date"]) for r in payments
             if r["reversed_on"] is None or r["reversed_on"] > on],
            on, policy,
        )
        body = result.as_dict() | {"status": loan["status"], "closed_reason": loan["closed_reason"],
                                   "case_id": loan["case_id"]}
        return web.json_response(body)

    return [web.get("/loans/{loan_id}/statement", statement)]


def _statement_date(request: web.Request, clock: clock_store.ClockState, zone: ZoneInfo) -> date | None:
    """The date asked for, else the business date in progress by the service's clock."""
    if "on" in request.query:
        return date.fromisoformat(request.query["on"])
    return business_date(clock.now, zone) if clock.now else None
