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


def _not_theirs(request: web.Request, collector_id: str) -> web.Response | None:
    """A collector's token speaks only for the collector it was issued to (API_TOKENS
    token:collector:<collector id>); a supervisor's for anyone."""
    if request["role"] != COLLECTOR:
        return None
    if request["subject"] is None:
        return error(403, "token_not_bound", "a collector's token must name its collector"
                     " (token:collector:<collector id> in API_TOKENS)")
    if request["subject"] != collector_id:
        return error(403, "not_your_token", "this token belongs to another collector")
    return None


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
        if (refused := _not_theirs(request, request.match_info["collector_id"])) is not None:
            return refused
        async with pool.acquire() as conn:
            return await day_route(conn, ctx, request.match_info["collector_id"], request.query.get("date"))

    @require_role(COLLECTOR, SUPERVISOR)
    async def arrive(request: web.Request) -> web.Response:
        body = await parse_body(request, CheckIn)
        if (refused := _not_theirs(request, body.collector_id)) is not None:
            return refused
        return await transaction(lambda conn, now, after: check_in(conn, ctx, request.match_info["visit_id"], body,
                                                                   now, after))

    @require_role(COLLECTOR, SUPERVISOR)
    async def outcome(request: web.Request) -> web.Response:
        body = await parse_body(request, VisitOutcomeIn)
        if (refused := _not_theirs(request, body.collector_id)) is not None:
            return refused
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
