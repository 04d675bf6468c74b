"""Ordered SQL migrations: the shared plumbing first, then the service's own."""
import logging
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)
SHARED_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 7_201_001  # one migrator at a time when replicas start together


async def migrate(pool: asyncpg.Pool, service_migrations: Path) -> list[str]:
    """Apply every migration not applied yet, each in its own transaction; returns their names."""
    applied_now: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, path in _ordered(service_migrations):
                if name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text())
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied_now.append(name)
                log.info("migration applied", extra={"migration": name})
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


async def pending(pool: asyncpg.Pool, service_migrations: Path) -> list[str]:
    """Migrations not applied yet (all of them on an empty database)."""
    async with pool.acquire() as conn:
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")} if exists else set()
    return [name for name, _ in _ordered(service_migrations) if name not in done]


def _ordered(service_migrations: Path) -> list[tuple[str, Path]]:
    shared = [(f"shared/{p.name}", p) for p in sorted(SHARED_MIGRATIONS.glob("*.sql"))]
    own = [(f"service/{p.name}", p) for p in sorted(service_migrations.glob("*.sql"))]
    return shared + own
