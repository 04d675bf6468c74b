"""The roster of field collectors, stored as the domain's `Collector`."""
import json
from datetime import datetime, time
from typing import Any

import asyncpg

from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import WEEK, Collector, Hours

_COLUMNS = ("collector_id, name, territory, polygon, certified_until, skills, daily_capacity, hours, home_lat,"
            " home_lon, time_zone, active")


async def save(conn: asyncpg.Connection, collector: Collector, at: datetime | None) -> None:
    """Create or replace the entry; `at` None before the first tick (then the database's time, for audit only)."""
    polygon = [[p.lat, p.lon] for p in collector.territory.polygon]
    hours = {str(day): [span[0].isoformat(), span[1].isoformat()]
             for day, span in enumerate(collector.hours) if span is not None}
    await conn.execute(
        f"INSERT INTO collectors ({_COLUMNS}, updated_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,coalesce($13, now()))"
        " ON CONFLICT (collector_id) DO UPDATE SET name = excluded.name, territory = excluded.territory,"
        " polygon = excluded.polygon, certified_until = excluded.certified_until, skills = excluded.skills,"
        " daily_capacity = excluded.daily_capacity, hours = excluded.hours, home_lat = excluded.home_lat,"
        " home_lon = excluded.home_lon, time_zone = excluded.time_zone, active = excluded.active,"
        " updated_at = excluded.updated_at",
        collector.collector_id, collector.name, sorted(collector.territory.areas),
        json.dumps(polygon) if polygon else None, collector.certified_until, sorted(collector.skills),
        collector.daily_capacity, json.dumps(hours), collector.home.lat, collector.home.lon, collector.time_zone,
        collector.active, at,
    )


async def exists(conn: asyncpg.Connection, collector_id: str) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM collectors WHERE collector_id = $1)",
                                    collector_id))


async def collector(conn: asyncpg.Connection, collector_id: str) -> Collector | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM collectors WHERE collector_id = $1", collector_id)
    return _collector(row) if row else None


async def active_collectors(conn: asyncpg.Connection) -> list[Collector]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM collectors WHERE active ORDER BY collector_id")
    return [_collector(r) for r in rows]


async def count_active(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM collectors WHERE active"))


def _collector(row: asyncpg.Record) -> Collector:
    stored_hours: dict[str, Any] = json.loads(row["hours"])
    polygon = json.loads(row["polygon"]) if row["polygon"] else []
    return Collector(
        collector_id=row["collector_id"], name=row["name"],
        territory=Territory(frozenset(row["territory"]), tuple(Point(lat, lon) for lat, lon in polygon)),
        certified_until=row["certified_until"], skills=frozenset(row["skills"]), daily_capacity=row["daily_capacity"],
        hours=tuple(_hours(stored_hours.get(str(day))) for day in range(WEEK)),
        home=Point(row["home_lat"], row["home_lon"]), time_zone=row["time_zone"], active=row["active"],
    )


def _hours(pair: list[str] | None) -> Hours:
    return (time.fromisoformat(pair[0]), time.fromisoformat(pair[1])) if pair else None
