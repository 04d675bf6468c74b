"""The database goes away under a running service: it says so, waits, and loses nothing.

The outages are real, made on the service's own throw-away database: it stops accepting
connections and every backend on it is terminated (a Postgres restart), or it turns read-only
(what a client sees after a failover onto a standby).
"""
from contextlib import asynccontextmanager
from datetime import date
from urllib.parse import urlsplit

import asyncpg

from tests.helpers.loan_events import local, originated, payment, tick_closing
from tests.helpers.waiting import eventually

SCHEDULE = [(date(2026, 2, 5), 10_000), (date(2026, 3, 5), 10_000)]


async def test_a_database_outage_is_reported_then_everything_sent_meanwhile_is_processed_once(overdue):
    await book_one_loan(overdue)
    sent_meanwhile = [originated("L2", "C2", SCHEDULE, date(2026, 1, 6)),
                      payment("P1", "L1", 4_000, local(date(2026, 2, 1)))]
    async with outage(overdue, "ALTER DATABASE {name} ALLOW_CONNECTIONS false",
                      "ALTER DATABASE {name} ALLOW_CONNECTIONS true"):
        await overdue.send(*sent_meanwhile, tick_closing(date(2026, 2, 10)))
        await eventually(lambda: reported(overdue, 503, database=False), what="/readyz 503 with the database down")
    await eventually(lambda: reported(overdue, 200, database=True), timeout=60, what="/readyz 200 again")
    await processed_exactly_once(overdue, sent_meanwhile)


async def test_an_outage_while_idle_is_reported_and_the_service_recovers_from_its_dead_connections(overdue):
    await book_one_loan(overdue)
    async with outage(overdue, "ALTER DATABASE {name} ALLOW_CONNECTIONS false",
                      "ALTER DATABASE {name} ALLOW_CONNECTIONS true"):
        await eventually(lambda: reported(overdue, 503, database=False), what="/readyz 503 with the database down")
    await eventually(lambda: reported(overdue, 200, database=True), timeout=60, what="/readyz 200 again")

    await overdue.send(tick_closing(date(2026, 2, 6)))
    events = await eventually(lambda: at_least(overdue, 1), what="the loan announced overdue after the outage")
    assert [(e["data"]["loan_id"], e["data"]["days_past_due"]) for e in events] == [("L1", 1)]


async def test_a_read_only_database_after_a_failover_is_waited_out_and_nothing_is_lost(overdue):
    await book_one_loan(overdue)
    sent_meanwhile = [originated("L2", "C2", SCHEDULE, date(2026, 1, 6)),
                      payment("P1", "L1", 4_000, local(date(2026, 2, 1)))]
    async with outage(overdue, "ALTER DATABASE {name} SET default_transaction_read_only = on",
                      "ALTER DATABASE {name} RESET default_transaction_read_only"):
        await overdue.send(*sent_meanwhile, tick_closing(date(2026, 2, 10)))
        await eventually(lambda: reported(overdue, 503, database=False),
                         what="/readyz 503 while the database refuses writes")
    await eventually(lambda: reported(overdue, 200, database=True), timeout=60, what="/readyz 200 again")
    await processed_exactly_once(overdue, sent_meanwhile)


@asynccontextmanager
async def outage(overdue, begin: str, end: str):
    """Run `begin` on the service's database as admin and cut every connection to it; `end` undoes it."""
    name = urlsplit(overdue.settings.database_url).path.lstrip("/")
    assert name.startswith("t_"), "only a database the test created may be taken down"
    admin = await asyncpg.connect(overdue.stack.admin_url)
    try:
        await admin.execute(begin.format(name=f'"{name}"'))
        try:
            await terminate_backends(admin, name)
            yield
        finally:
            await admin.execute(end.format(name=f'"{name}"'))
            await terminate_backends(admin, name)  # sessions opened meanwhile keep the old settings
    finally:
        await admin.close()


async def terminate_backends(admin: asyncpg.Connection, name: str) -> None:
    await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = $1 AND pid <> pg_backend_pid()", name)


async def book_one_loan(overdue) -> None:
    await overdue.send(originated("L1", "C1", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 1, 31)))
    await closed_through(overdue, date(2026, 1, 31))
    assert await reported(overdue, 200, database=True)


async def processed_exactly_once(overdue, sent_meanwhile: list) -> None:
    """L1 (part paid) and L2 fell overdue on 6 February, announced once each; nothing dead-lettered."""
    await eventually(lambda: at_least(overdue, 2), what="the events sent during the outage processed")
    await overdue.send(tick_closing(date(2026, 2, 11)))  # read after everything else: then the service is quiet
    await closed_through(overdue, date(2026, 2, 11))
    events = await overdue.emitted()
    assert sorted((e["data"]["loan_id"], e["type"], e["data"]["overdue_amount"]) for e in events) == [
        ("L1", "delinquency.loan_became_overdue", 6_000), ("L2", "delinquency.loan_became_overdue", 10_000)]
    assert len({e["id"] for e in events}) == len(events)
    assert await eventually(lambda: drained(overdue), what="the outbox drained") == {
        "loans": 2, "payments": 1, "inbox": 6, "outbox": 2, "unsent": 0}
    inbox = {r["event_id"] for r in await overdue.query("SELECT event_id FROM inbox")}
    assert {event_id for event_id, _, _ in sent_meanwhile} <= inbox
    assert await overdue.dead_letters() == []  # an outage is waited out, never a reason to dead-letter


async def reported(overdue, status: int, database: bool) -> bool:
    answer, body = await overdue.get("/readyz", token=None)
    return answer == status and body.get("dependencies", {}).get("database") is database


async def closed_through(overdue, day: date) -> None:
    async def reached():
        clock = await overdue.clock()
        return clock is not None and clock["last_closed_date"] == day

    await eventually(reached, what=f"business date {day} closed")


async def at_least(overdue, count: int):
    events = await overdue.emitted()
    return events if len(events) >= count else None


async def drained(overdue) -> dict[str, int] | None:
    row = (await overdue.query(
        "SELECT (SELECT count(*) FROM loans) AS loans, (SELECT count(*) FROM payments) AS payments,"
        " (SELECT count(*) FROM inbox) AS inbox, (SELECT count(*) FROM outbox) AS outbox,"
        " (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent"))[0]
    return dict(row) if row["unsent"] == 0 else None
