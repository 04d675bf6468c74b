"""The asyncpg pool, opened with patience: the database may come up after us."""
import asyncio
import logging

import asyncpg

from shared.db.transient import TRANSIENT_DB_ERRORS

log = logging.getLogger(__name__)
# Random reads cost little more than sequential ones on SSD-backed servers; at the default (4)
# the planner scanned whole tables to re-evaluate a few thousand loans (bench/README-summary).
SERVER_SETTINGS = {"random_page_cost": "1.1"}


async def open_pool(database_url: str, *, min_size: int = 1, max_size: int = 10, attempts: int = 60) -> asyncpg.Pool:
    for attempt in range(1, attempts + 1):
        try:
            return await asyncpg.create_pool(
                database_url, min_size=min_size, max_size=max_size, command_timeout=600,
                server_settings=SERVER_SETTINGS,
            )
        except TRANSIENT_DB_ERRORS as error:
            if attempt == attempts:
                raise
            log.warning("database not reachable yet", extra={"attempt": attempt, "error": type(error).__name__})
            await asyncio.sleep(min(0.25 * attempt, 3.0))
    raise RuntimeError("unreachable")
