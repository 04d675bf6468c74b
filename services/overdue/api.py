"""HTTP views: the borrower's itemised statement (the right to know)."""
from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from services.overdue.domain.delinquency import Policy
from services.overdue.statements import statement
from shared.db.tx import UnitOfWork
from shared.refusal import Malformed
from shared.web import require_role

STATEMENT_READERS = ("customer_portal", "supervisor", "collector", "dialer")


def routes(unit: UnitOfWork, policy: Policy, zone: ZoneInfo) -> list[web.RouteDef]:
    @require_role(*STATEMENT_READERS)
    async def loan_statement(request: web.Request) -> web.Response:
        on = _date_asked(request)
        body = await unit.read(lambda conn: statement(conn, policy, zone, request.match_info["loan_id"], on))
        return web.json_response(body)

    return [web.get("/loans/{loan_id}/statement", loan_statement)]


def _date_asked(request: web.Request) -> date | None:
    if "on" not in request.query:
        return None
    try:
        return date.fromisoformat(request.query["on"])
    except ValueError:
        raise Malformed("invalid_date", "`on` must be an ISO date (YYYY-MM-DD)") from None
