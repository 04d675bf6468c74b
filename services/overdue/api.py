"""HTTP views: the borrower's itemised statement (the right to know)."""
from zoneinfo import ZoneInfo

from aiohttp import web

from services.overdue.domain.delinquency import Policy
from services.overdue.statements import statement
from shared.db.tx import UnitOfWork
from shared.web import portal_customer, query_date, require_role

STATEMENT_READERS = ("customer_portal", "supervisor", "collector", "dialer")


def routes(unit: UnitOfWork, policy: Policy, zone: ZoneInfo) -> list[web.RouteDef]:
    @require_role(*STATEMENT_READERS)
    async def loan_statement(request: web.Request) -> web.Response:
        """A borrower (customer_portal token) sees only the statements of their own loans; staff see any."""
        on = query_date(request, "on")  # 400 invalid_date: not a date, or outside 2000-01-01..2100-01-01
        customer = portal_customer(request)
        body = await unit.read(lambda conn: statement(conn, policy, zone, request.match_info["loan_id"], on,
                                                      customer=customer))
        return web.json_response(body)

    return [web.get("/loans/{loan_id}/statement", loan_statement)]
