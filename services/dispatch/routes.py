"""A collector's day as a route: the visits in order, with planned arrivals inside their windows."""
import json
from datetime import date, datetime, time, timedelta

import asyncpg
from aiohttp import web

from services.dispatch import convert
from services.dispatch.context import Dispatch
from services.dispatch.domain.geo import Point
from services.dispatch.domain.routing import Stop, plan_route
from services.dispatch.store import roster
from shared.web import error


async def day_route(conn: asyncpg.Connection, ctx: Dispatch, collector_id: str, day_text: str | None) -> web.Response:
    row = await roster.collector(conn, collector_id)
    if row is None:
        return error(404, "collector_not_found", "no collector with this id")
    try:
        day = date.fromisoformat(day_text or "")
    except ValueError:
        return error(400, "invalid_date", "`date` must be an ISO date (YYYY-MM-DD)")
    collector = convert.collector(row)
    start = datetime.combine(day, time(), collector.zone)
    rows = await conn.fetch(
        "SELECT visit_id, lat, lon, window_start, window_end, address, status FROM visits"
        " WHERE $1 = ANY(collector_ids) AND status IN ('assigned', 'checked_in', 'completed')"
        " AND window_start >= $2 AND window_start < $3", collector_id, start, start + timedelta(days=1))
    stops = [Stop(r["visit_id"], Point(r["lat"], r["lon"]) if r["lat"] is not None else None,
                  r["window_start"], r["window_end"]) for r in rows]
    route = plan_route(collector.home, stops, ctx.policy)
    details = {r["visit_id"]: r for r in rows}
    return web.json_response({
        "collector_id": collector_id, "date": day.isoformat(), "total_km": round(route.total_km, 2),
        "stops": [{"visit_id": p.stop.visit_id, "planned_arrival": p.arrival.isoformat(),
                   "window_start": p.stop.window_start.isoformat(), "window_end": p.stop.window_end.isoformat(),
                   "status": details[p.stop.visit_id]["status"],
                   "address": json.loads(details[p.stop.visit_id]["address"])} for p in route.stops],
        "late": [s.visit_id for s in route.late],
    })
