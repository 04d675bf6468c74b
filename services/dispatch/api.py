"""HTTP views: the roster (supervisors), routes, and what collectors report from the door."""
import asyncpg
from aiohttp import web

from services.dispatch import convert
from services.dispatch.context import Dispatch
from services.dispatch.door import check_in, record_outcome
from services.dispatch.roster_changes import save_collector
from services.dispatch.routes import day_route
from services.dispatch.requests import CheckIn, CollectorIn, VisitOutcomeIn
from shared.db.unit_of_work import UnitOfWork
from shared.web import error, in_transaction, parse_body, require_role

SUPERVISOR, COLLECTOR = "supervisor", "collector"


def routes(pool: asyncpg.Pool, ctx: Dispatch, wake) -> list[web.RouteDef]:
    unit = UnitOfWork(pool, wake)

    async def transaction(work, require_clock: bool = True) -> web.Response:
        return await in_transaction(unit, work, require_clock)

    @require_role(SUPERVISOR)
    async def create(request: web.Request) -> web.Response:
        body = await parse_body(request, CollectorIn)
        collector_id = request.match_info.get("collector_id")
        return await transaction(lambda conn, now, after: save_collector(conn, ctx, collector_id, body, now, after),
                                 require_clock=False)  # a roster can be set up before time starts

    @require_role(SUPERVISOR)
    async def deactivate(request: web.Request) -> web.Response:
        async def work(conn, now, after):
            row = await conn.fetchrow("SELECT * FROM collectors WHERE collector_id = $1",
                                      request.match_info["collector_id"])
            if row is None:
                return error(404, "collector_not_found", "no collector with this id"), []
            body = convert.collector_in(dict(row)).model_copy(update={"active": False})
            return await save_collector(conn, ctx, row["collector_id"], body, now, after)

        return await transaction(work, require_clock=False)

    @require_role(SUPERVISOR, COLLECTOR)
    async def route(request: web.Request) -> web.Response:
        async with pool.acquire() as conn:
            return await day_route(conn, ctx, request.match_info["collector_id"], request.query.get("date"))

    @require_role(COLLECTOR, SUPERVISOR)
    async def arrive(request: web.Request) -> web.Response:
        body = await parse_body(request, CheckIn)
        return await transaction(lambda conn, now, after: check_in(conn, ctx, request.match_info["visit_id"], body,
                                                                   now, after))

    @require_role(COLLECTOR, SUPERVISOR)
    async def outcome(request: web.Request) -> web.Response:
        body = await parse_body(request, VisitOutcomeIn)
        return await transaction(lambda conn, now, after: record_outcome(
            conn, ctx, request.match_info["visit_id"], body, now, after))

    return [
        web.post("/collectors", create),
        web.put("/collectors/{collector_id}", create),
        web.post("/collectors/{collector_id}/deactivate", deactivate),
        web.get("/collectors/{collector_id}/route", route),
        web.post("/visits/{visit_id}/check-in", arrive),
        web.post("/visits/{visit_id}/outcome", outcome),
    ]
