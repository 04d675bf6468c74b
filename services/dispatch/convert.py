"""Between the database's rows, the API's bodies and the domain's values."""
import json
from datetime import datetime, time, timedelta

from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import WEEK, Collector
from services.dispatch.domain.visits import VisitRequest
from services.dispatch.requests import CollectorIn


def collector_row(collector_id: str, body: CollectorIn) -> dict:
    return {
        "collector_id": collector_id, "name": body.name, "territory": sorted(set(body.territory)),
        "polygon": [[p.latitude, p.longitude] for p in body.polygon] if body.polygon else None,
        "certified_until": body.certified_until, "skills": sorted(set(body.skills)),
        "daily_capacity": body.daily_capacity,
        "hours": {str(day): [h.start.isoformat(), h.end.isoformat()] for day, h in body.hours.items()},
        "home_lat": body.home.latitude, "home_lon": body.home.longitude, "time_zone": body.time_zone,
        "active": body.active,
    }


def collector(row: dict) -> Collector:
    hours = tuple(_hours(row["hours"].get(str(day))) for day in range(WEEK))
    polygon = tuple(Point(lat, lon) for lat, lon in row["polygon"] or ())
    return Collector(
        collector_id=row["collector_id"], name=row["name"], territory=Territory(frozenset(row["territory"]), polygon),
        certified_until=row["certified_until"], skills=frozenset(row["skills"]), daily_capacity=row["daily_capacity"],
        hours=hours, home=Point(row["home_lat"], row["home_lon"]), time_zone=row["time_zone"], active=row["active"],
    )


def _hours(pair: list[str] | None) -> tuple[time, time] | None:
    return (time.fromisoformat(pair[0]), time.fromisoformat(pair[1])) if pair else None


def visit_request(row, collectors_needed: int) -> VisitRequest:
    location = Point(row["lat"], row["lon"]) if row["lat"] is not None and row["lon"] is not None else None
    return VisitRequest(
        visit_id=row["visit_id"], case_id=row["case_id"], customer_id=row["customer_id"], area=row["area"],
        location=location, time_zone=row["time_zone"], window_start=row["window_start"],
        window_end=row["window_end"], collectors_needed=collectors_needed,
    )


def area_of(city: str, district: str | None) -> str:
    return f"{city}/{district}" if district else city


def day_bounds(visit: VisitRequest) -> tuple[datetime, datetime]:
    """The borrower's calendar day of the visit, as instants: whose loads and stops count."""
    start = datetime.combine(visit.local_date, time(), visit.zone)
    return start, start + timedelta(days=1)


def collector_in(row: dict) -> CollectorIn:
    """A stored roster entry back in the API's shape (to change one field of it)."""
    hours = row["hours"] if isinstance(row["hours"], dict) else json.loads(row["hours"])
    polygon = row["polygon"] if not isinstance(row["polygon"], str) else json.loads(row["polygon"])
    return CollectorIn(
        name=row["name"], territory=list(row["territory"]),
        polygon=[{"latitude": lat, "longitude": lon} for lat, lon in polygon] if polygon else None,
        certified_until=row["certified_until"], skills=list(row["skills"]), daily_capacity=row["daily_capacity"],
        hours={int(day): {"start": pair[0], "end": pair[1]} for day, pair in hours.items()},
        home={"latitude": row["home_lat"], "longitude": row["home_lon"]}, time_zone=row["time_zone"],
        active=row["active"],
    )
