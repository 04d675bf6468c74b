"""The roster of field collectors."""
import json
from datetime import datetime

import asyncpg

_COLUMNS = ("collector_id, name, territory, polygon, certified_until, skills, daily_capacity, hours, home_lat,"
            " home_lon, time_zone, active")


async def upsert(conn: asyncpg.Connection, row: dict, at: datetime | None) -> None:
    await conn.execute(
        f"INSERT INTO collectors ({_COLUMNS}, updated_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,coalesce($13, now()))"  # audit only: before any tick
        " ON CONFLICT (collector_id) DO UPDATE SET name = excluded.name, territory = excluded.territory,"
        " polygon = excluded.polygon, certified_until = excluded.certified_until, skills = excluded.skills,"
        " daily_capacity = excluded.daily_capacity, hours = excluded.hours, home_lat = excluded.home_lat,"
        " home_lon = excluded.home_lon, time_zone = excluded.time_zone, active = excluded.active,"
        " updated_at = excluded.updated_at",
        row["collector_id"], row["name"], row["territory"], json.dumps(row["polygon"]) if row["polygon"] else None,
        row["certified_until"], row["skills"], row["daily_capacity"], json.dumps(row["hours"]), row["home_lat"],
        row["home_lon"], row["time_zone"], row["active"], at,
    )


async def exists(conn: asyncpg.Connection, collector_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM collectors WHERE collector_id = $1)", collector_id)


async def active_collectors(conn: asyncpg.Connection) -> list[dict]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM collectors WHERE active ORDER BY collector_id")
    return [_row(r) for r in rows]


async def collector(conn: asyncpg.Connection, collector_id: str) -> dict | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM collectors WHERE collector_id = $1", collector_id)
    return _row(row) if row else None


def _row(record) -> dict:
    row = dict(record)
    row["hours"] = json.loads(row["hours"])
    row["polygon"] = json.loads(row["polygon"]) if row["polygon"] else None
    return row
