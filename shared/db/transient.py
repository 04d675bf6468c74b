"""Which database failures are worth waiting out rather than dead-lettering."""
import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg


class DatabaseUnavailable(Exception):
    """No connection could be had: the database is down, full, or refusing connections."""


TRANSIENT_DB_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    OSError,
    ConnectionError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.QueryCanceledError,
    asyncpg.ReadOnlySQLTransactionError,  # a standby after a failover, until the primary is back
)
# SQLSTATE classes that say "the server cannot do it now", not "this message is wrong":
# 08 connection exception, 53 insufficient resources (disk full, out of memory), 57 operator intervention.
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})


def is_transient(error: BaseException) -> bool:
    sqlstate = getattr(error, "sqlstate", None) or ""
    return isinstance(error, TRANSIENT_DB_ERRORS) or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES


ACQUIRE_TIMEOUT_SECONDS = 10.0


@contextlib.asynccontextmanager
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection; any failure to get one (whatever Postgres says) is transient."""
    try:
        conn = await pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - e.g. 55000 when the database refuses connections
        raise DatabaseUnavailable(type(error).__name__) from error
    try:
        yield conn
    finally:
        await pool.release(conn)
