"""A collector's day as a route: the visits in order, with planned arrivals inside their windows."""
import json
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.domain.routing import Stop, plan_route
from services.dispatch.store import roster, visits
from shared.refusal import Malformed, NotFound


async def day_route(conn: asyncpg.Connection, policy: DispatchPolicy, collector_id: str,
                    day_asked: str | None) -> dict[str, Any]:
    """The route for `day_asked` (an ISO date, on the collector's own calendar)."""
    collector = await roster.collector(conn, collector_id)
    if collector is None:
        raise NotFound("collector_not_found", "no collector with this id")
    try:
        day = date.fromisoformat(day_asked or "")
    except ValueError:
        raise Malformed("invalid_date", "`date` must be an ISO date (YYYY-MM-DD)") from None
    start = datetime.combine(day, time(), collector.zone)
    rows = await visits.route_stops(conn, collector_id, start, start + timedelta(days=1))
    stops = [Stop(r["visit_id"], visits.location(r), r["window_start"], r["window_end"]) for r in rows]
    route = plan_route(collector.home, stops, policy)
    details = {r["visit_id"]: r for r in rows}
    return {
        "collector_id": collector_id, "date": day.isoformat(), "total_km": round(route.total_km, 2),
        "stops": [{"visit_id": p.stop.visit_id, "planned_arrival": p.arrival.isoformat(),
                   "window_start": p.stop.window_start.isoformat(), "window_end": p.stop.window_end.isoformat(),
                   "status": details[p.stop.visit_id]["status"],
                   "address": json.loads(details[p.stop.visit_id]["address"])} for p in route.stops],
        "late": [s.visit_id for s in route.late],
    }
