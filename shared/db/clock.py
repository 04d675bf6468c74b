"""The service's clock as stored: the last tick's time and the last business date closed."""
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg


@dataclass(frozen=True)
class ClockState:
    now: datetime | None
    last_closed_date: date | None


async def read_clock(conn: asyncpg.Connection) -> ClockState:
    row = await conn.fetchrow("SELECT now, last_closed_date FROM service_clock")
    return ClockState(row["now"], row["last_closed_date"]) if row else ClockState(None, None)


async def save_clock(conn: asyncpg.Connection, clock: ClockState) -> None:
    await conn.execute(
        "INSERT INTO service_clock (singleton, now, last_closed_date) VALUES (true, $1, $2)"
        " ON CONFLICT (singleton) DO UPDATE SET now = excluded.now, last_closed_date = excluded.last_closed_date",
        clock.now, clock.last_closed_date,
    )
