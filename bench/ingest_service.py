"""The overdue service, in-process, reading the flood: loans first (untimed), then the timed payments.

Each run has a fresh database and its own consumer groups. Completion is read from the
database (the inbox holds every payment event), with a deadline.
"""
import asyncio
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import REGISTRY

from bench.flood import Flood
from bench.ingest_profile import profile_one_batch
from bench.timing import Calls, per_call, timed_all
from services.overdue.app import create_app
from services.overdue.settings import OverdueSettings
from services.overdue.store import book, evaluation
from shared.db import clock as clock_store
from shared.db import inbox, outbox

POLL_SECONDS = 0.25
# Timed per call during the timed run (bench-only wrappers; the rest of a batch is decoding and plumbing).
SERVICE_STEPS = [(inbox, "claim", "inbox_claim"), (book, "add_payments", "payments_insert"),
                 (evaluation, "evaluate", "reevaluate_sql"), (outbox, "add", "outbox_insert")]
STALL_SECONDS = 60  # no progress this long: something is wrong (e.g. the topics were deleted under us)


def service_settings(env, url: str, label: str, topic: str) -> OverdueSettings:
    # model_copy, not keyword arguments: environment variables would win over keywords for aliased fields.
    return OverdueSettings().model_copy(update=dict(
        kafka_bootstrap_servers=env.bootstrap, database_url=url, loan_events_topic=topic,
        clock_topic=env.name("clock"), delinquency_events_topic=env.name(f"delinquency-{label}"),
        consumer_group=env.name(f"overdue-{label}-{topic.rsplit('-', 1)[-1]}"), http_host="127.0.0.1", http_port=0,
    ))


async def service_run(env, flood: Flood, label: str, closed_date: date | None, *, profile: bool,
                      deadline_seconds: float) -> dict:
    async with env.database(f"ingest_{label}") as url:
        conn = await asyncpg.connect(url)
        try:
            loans = await consume_until(conn, service_settings(env, url, label, flood.originations_topic),
                                        flood.loans, deadline_seconds)
            settings = service_settings(env, url, label, flood.payments_topic)
            if closed_date:
                tick = _tick_after(closed_date, settings.portfolio_time_zone)
                await clock_store.save_clock(conn, clock_store.ClockState(tick, closed_date))
            result = {"closed_date": closed_date.isoformat() if closed_date else None, "loans_phase": loans}
            if profile:
                result["one_batch_profile"] = await profile_one_batch(conn, settings, flood.payments_topic)
            calls: Calls = {}
            with timed_all(SERVICE_STEPS, calls):
                result |= await consume_until(conn, settings, flood.payments, deadline_seconds)
            result["steps_during_run"] = per_call(calls)
            result["checks"] = await _checks(conn, flood)
        finally:
            await conn.close()
    return result


async def consume_until(conn: asyncpg.Connection, settings: OverdueSettings, expected: int, deadline: float) -> dict:
    """Start the service, wait until its inbox holds `expected` events of the topic, stop it."""
    topic = settings.loan_events_topic
    runtime = create_app(settings)
    started = time.time()
    await runtime.start()
    try:
        progress = (0, started)
        while (done := await conn.fetchval("SELECT count(*) FROM inbox WHERE topic = $1", topic)) < expected:
            now = time.time()
            progress = (done, now) if done > progress[0] else progress
            if now - started > deadline or now - progress[1] > STALL_SECONDS:
                raise TimeoutError(f"the service handled {done} of {expected} events of {topic}"
                                   f" in {now - started:.0f}s ({now - progress[1]:.0f}s without progress)")
            await asyncio.sleep(POLL_SECONDS)
        await asyncio.sleep(0.1)  # the gauge is set right after the last commit
        finished = REGISTRY.get_sample_value("collections_last_event_processed_timestamp_seconds")
        first = await conn.fetchval("SELECT extract(epoch FROM min(processed_at))::float8 FROM inbox WHERE topic = $1",
                                    topic)
    finally:
        await runtime.stop()
    return {"events": done, "seconds": round(finished - first, 3),
            "events_per_second": round(done / (finished - first)),
            "startup_seconds": round(first - started, 3),
            "events_per_second_with_startup": round(done / (finished - started))}


async def _checks(conn: asyncpg.Connection, flood: Flood) -> dict:
    return {
        "payments_rows": await conn.fetchval("SELECT count(*) FROM payments"),
        "dead_letters": await conn.fetchval("SELECT count(*) FROM outbox WHERE topic LIKE '%.dlq'"),
        "delinquency_events": await conn.fetchval("SELECT count(*) FROM outbox WHERE topic NOT LIKE '%.dlq'"),
    }


def _tick_after(day: date, zone: str) -> datetime:
    """What the clock's tick closing `day` says: the next day 00:00:05 in the portfolio zone."""
    return datetime.combine(day + timedelta(days=1), clock_time(0, 0, 5), ZoneInfo(zone))
