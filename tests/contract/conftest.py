"""Contract tests run against the real Postgres of the local stack: a fresh, migrated database per module."""
import asyncpg
import pytest

from services.overdue.app import MIGRATIONS
from shared.db.migrate import migrate
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.from_env()


@pytest.fixture(scope="module")
async def overdue_db(stack: Stack):
    """A pool on a throw-away database holding overdue detection's schema."""
    url = await stack.create_database("overdue")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        await migrate(pool, MIGRATIONS)
        yield pool
    finally:
        await pool.close()
        await stack.drop_database(url)
