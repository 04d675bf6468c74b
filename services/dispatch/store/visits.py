"""Visits: scheduled from a confirmed request, assigned to a team, checked in, completed or cancelled."""
import json
from datetime import datetime
from typing import Any

import asyncpg

from services.dispatch.domain.geo import Point
from services.dispatch.domain.plan import Booking
from services.dispatch.domain.visits import NOT_BEGUN, VisitRequest


async def add(conn: asyncpg.Connection, visit: dict[str, Any], at: datetime) -> bool:
    """False when the visit is already there (the same request again)."""
    status = await conn.execute(
        "INSERT INTO visits (visit_id, visit_request_id, case_id, loan_id, customer_id, area, lat, lon, address,"
        " overdue_amount, currency, time_zone, window_start, window_end, status, created_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'unassignable',$15) ON CONFLICT DO NOTHING",
        visit["visit_id"], visit["visit_request_id"], visit["case_id"], visit["loan_id"], visit["customer_id"],
        visit["area"], visit["lat"], visit["lon"], json.dumps(visit["address"]), visit["overdue_amount"],
        visit["currency"], visit["time_zone"], visit["window_start"], visit["window_end"], at,
    )
    return bool(status.endswith(" 1"))


def request_of(row: asyncpg.Record, collectors_needed: int) -> VisitRequest:
    """A stored visit as the assignment rules see it."""
    return VisitRequest(
        visit_id=row["visit_id"], case_id=row["case_id"], customer_id=row["customer_id"], area=row["area"],
        location=location(row), time_zone=row["time_zone"], window_start=row["window_start"],
        window_end=row["window_end"], collectors_needed=collectors_needed,
    )


async def set_assignment(conn: asyncpg.Connection, visit_id: str, collector_ids: list[str], reason: str | None,
                         planned_start: datetime | None) -> int:
    """Record the team (or why there is none); returns how many times this visit has been assigned."""
    return int(await conn.fetchval(
        "UPDATE visits SET collector_ids = $2, status = CASE WHEN cardinality($2::text[]) > 0 THEN 'assigned'"
        " ELSE 'unassignable' END, reason = $3, planned_start = $4, assignments = assignments + 1"
        " WHERE visit_id = $1 RETURNING assignments",
        visit_id, collector_ids, reason, planned_start,
    ))


async def visit(conn: asyncpg.Connection, visit_id: str, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM visits WHERE visit_id = $1" + (" FOR UPDATE" if lock else ""), visit_id)


async def of_loan_or_customer(conn: asyncpg.Connection, *, loan_id: str | None = None,
                              customer_id: str | None = None) -> list[asyncpg.Record]:
    """Every visit of a loan (or of a customer), whatever its status, locked, in window order."""
    if (loan_id is None) == (customer_id is None):
        raise ValueError("name exactly one of a loan and a customer")
    return await conn.fetch(
        "SELECT * FROM visits WHERE ($1::text IS NULL OR loan_id = $1) AND ($2::text IS NULL OR customer_id = $2)"
        " ORDER BY window_start, visit_id FOR UPDATE",
        loan_id, customer_id,
    )


async def not_begun_of(conn: asyncpg.Connection, collector_id: str, ending_after: datetime) -> list[asyncpg.Record]:
    """A collector's visits no team has started whose window is not over yet, locked, in window order."""
    return await conn.fetch(
        "SELECT * FROM visits WHERE status = ANY($1::text[]) AND $2 = ANY(collector_ids) AND window_end > $3"
        " ORDER BY window_start, visit_id FOR UPDATE",
        sorted(NOT_BEGUN), collector_id, ending_after,
    )


async def cancel(conn: asyncpg.Connection, visit_id: str, reason: str) -> None:
    await conn.execute("UPDATE visits SET status = 'cancelled', reason = $2 WHERE visit_id = $1", visit_id, reason)


async def bookings_on(conn: asyncpg.Connection, day_start: datetime, day_end: datetime) -> list[Booking]:
    """Each collector's planned visits in a period, in planned order (for loads and previous stops)."""
    rows = await conn.fetch(
        "SELECT c AS collector_id, visit_id, lat, lon, window_start, planned_start"
        " FROM visits, unnest(collector_ids) c"
        " WHERE status IN ('assigned', 'checked_in', 'completed') AND window_start < $2 AND window_end > $1"
        " ORDER BY planned_start NULLS FIRST, window_start, visit_id", day_start, day_end,
    )
    return [Booking(r["collector_id"], r["visit_id"], location(r), r["window_start"], r["planned_start"]) for r in rows]


async def route_stops(conn: asyncpg.Connection, collector_id: str, day_start: datetime,
                      day_end: datetime) -> list[asyncpg.Record]:
    """A collector's visits starting in a period that are planned, under way or done."""
    return await conn.fetch(
        "SELECT visit_id, lat, lon, window_start, window_end, address, status FROM visits"
        " WHERE $1 = ANY(collector_ids) AND status IN ('assigned', 'checked_in', 'completed')"
        " AND window_start >= $2 AND window_start < $3", collector_id, day_start, day_end,
    )


async def ended_still_assigned(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Candidates for a no-show: assigned (nobody checked in) and the window over by `now`; busy ones skipped."""
    return await conn.fetch("SELECT * FROM visits WHERE status = 'assigned' AND window_end <= $1"
                            " ORDER BY window_end FOR UPDATE SKIP LOCKED", now)


async def due_at_the_door(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Assigned visits whose confirmed window is open now (for the sandbox field team)."""
    return await conn.fetch("SELECT * FROM visits WHERE status = 'assigned' AND window_start <= $1"
                            " AND window_end > $1 ORDER BY window_start, visit_id", now)


async def check_in(conn: asyncpg.Connection, visit_id: str, collector_id: str, at: datetime) -> None:
    await conn.execute("UPDATE visits SET status = 'checked_in', checked_in_at = $3, checked_in_by = $2"
                       " WHERE visit_id = $1", visit_id, collector_id, at)


async def complete(conn: asyncpg.Connection, visit_id: str, outcome: str, terms: dict[str, Any] | None,
                   evidence: list[str], notes: str | None, at: datetime) -> None:
    await conn.execute(
        "UPDATE visits SET status = 'completed', outcome = $2, terms = $3, evidence = $4, notes = $5,"
        " completed_at = $6 WHERE visit_id = $1",
        visit_id, outcome, json.dumps(terms) if terms else None, evidence, notes, at,
    )


async def note_no_show(conn: asyncpg.Connection, visit_id: str) -> None:
    await conn.execute("UPDATE visits SET no_shows = no_shows + 1 WHERE visit_id = $1", visit_id)


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {r["status"]: r["n"] for r in await conn.fetch("SELECT status, count(*) AS n FROM visits GROUP BY status")}


def location(row: asyncpg.Record) -> Point | None:
    """Where the visit is; None when the address has no coordinates."""
    return Point(row["lat"], row["lon"]) if row["lat"] is not None and row["lon"] is not None else None
