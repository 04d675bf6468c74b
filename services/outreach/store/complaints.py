"""Complaints: the right to complain, tracked to resolution."""
from datetime import datetime

import asyncpg


async def open_complaint(conn: asyncpg.Connection, complaint_id: str, customer_id: str, category: str,
                         description: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO complaints (complaint_id, customer_id, category, description, status, opened_at)"
        " VALUES ($1, $2, $3, $4, 'open', $5)", complaint_id, customer_id, category, description, at,
    )


async def resolve(conn: asyncpg.Connection, complaint_id: str, resolution: str, at: datetime):
    """The resolved complaint, or None when there is no open complaint with this id."""
    return await conn.fetchrow(
        "UPDATE complaints SET status = 'resolved', resolution = $2, resolved_at = $3"
        " WHERE complaint_id = $1 AND status = 'open' RETURNING complaint_id, customer_id",
        complaint_id, resolution, at,
    )


async def still_open(conn: asyncpg.Connection, customer_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM complaints WHERE customer_id = $1 AND status = 'open')",
                               customer_id)


async def open_count(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM complaints WHERE status = 'open'")
