"""HTTP views: the roster (supervisors), routes, and what collectors report from the door."""
from aiohttp import web

from services.dispatch.context import Dispatch
from services.dispatch.day_route import day_route
from services.dispatch.door import check_in, record_outcome
from services.dispatch.requests import CheckIn, CollectorIn, VisitOutcomeIn
from services.dispatch.roster_changes import Saved, deactivate_collector, save_collector
from shared.db.tx import UnitOfWork
from shared.refusal import Forbidden
from shared.web import parse_body, query_date, require_role

SUPERVISOR, COLLECTOR = "supervisor", "collector"


def routes(unit: UnitOfWork, dispatch: Dispatch) -> list[web.RouteDef]:
    @require_role(SUPERVISOR)
    async def save(request: web.Request) -> web.Response:
        body = await parse_body(request, CollectorIn)
        collector_id = request.match_info.get("collector_id")
        saved = await unit.run(lambda tx: save_collector(tx, dispatch, collector_id, body),
                               require_clock=False)  # a roster can be set up before time starts
        return _saved(saved)

    @require_role(SUPERVISOR)
    async def deactivate(request: web.Request) -> web.Response:
        collector_id = request.match_info["collector_id"]
        saved = await unit.run(lambda tx: deactivate_collector(tx, dispatch, collector_id), require_clock=False)
        return _saved(saved)

    @require_role(SUPERVISOR, COLLECTOR)
    async def route(request: web.Request) -> web.Response:
        collector_id = request.match_info["collector_id"]
        _speaks_for(request, collector_id)
        day = query_date(request, "date")  # 400 invalid_date: not a date, or outside 2000-01-01..2100-01-01
        body = await unit.read(lambda conn: day_route(conn, dispatch.policy, collector_id,
                                                      day.isoformat() if day else None))
        return web.json_response(body)

    @require_role(COLLECTOR, SUPERVISOR)
    async def arrive(request: web.Request) -> web.Response:
        body = await parse_body(request, CheckIn)
        _speaks_for(request, body.collector_id)
        visit_id = request.match_info["visit_id"]
        await unit.run(lambda tx: check_in(tx, visit_id, body, dispatch.policy.version))
        return web.json_response({"visit_id": visit_id, "status": "checked_in"})

    @require_role(COLLECTOR, SUPERVISOR)
    async def outcome(request: web.Request) -> web.Response:
        body = await parse_body(request, VisitOutcomeIn)
        _speaks_for(request, body.collector_id)
        visit_id = request.match_info["visit_id"]
        await unit.run(lambda tx: record_outcome(tx, visit_id, body))
        return web.json_response({"visit_id": visit_id, "status": "completed", "outcome": body.outcome})

    return [
        web.post("/collectors", save),
        web.put("/collectors/{collector_id}", save),
        web.post("/collectors/{collector_id}/deactivate", deactivate),
        web.get("/collectors/{collector_id}/route", route),
        web.post("/visits/{visit_id}/check-in", arrive),
        web.post("/visits/{visit_id}/outcome", outcome),
    ]


def _speaks_for(request: web.Request, collector_id: str) -> None:
    """A collector's token speaks only for the collector it was issued to (API_TOKENS
    token:collector:<collector id>); a supervisor's for anyone."""
    if request["role"] != COLLECTOR:
        return
    if request["subject"] is None:
        raise Forbidden("token_not_bound", "a collector's token must name its collector"
                        " (token:collector:<collector id> in API_TOKENS)")
    if request["subject"] != collector_id:
        raise Forbidden("not_your_token", "this token belongs to another collector")


def _saved(saved: Saved) -> web.Response:
    return web.json_response({"collector_id": saved.collector_id, "reassigned_visits": saved.reassigned_visits},
                             status=201 if saved.created else 200)
