"""End-of-day evaluation of the whole book, two consecutive business dates, against `SELECT count(*)`."""
import json
import random
import statistics
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import asyncpg

from bench.eod_book import load_book, loan_id
from bench.timing import Calls, timed_all, totals
from services.overdue.announcements import emitter
from services.overdue.app import MIGRATIONS
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.evaluator import Evaluator
from services.overdue.settings import OverdueSettings
from services.overdue.store import evaluation, state
from shared.db import outbox
from shared.db.migrate import migrate
from shared.db.tx import Tx

FIRST_DATE = date(2026, 6, 30)
EVALUATION_STEPS = [(evaluation, "evaluate", "sql_evaluate"),
                    (evaluation, "repayment_history", "sql_repayment_history"),
                    (state, "save_states", "sql_save_states")]


async def run_eod(env, loans: int) -> dict:
    async with env.database("eod") as url:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2, command_timeout=3600)
        try:
            await migrate(pool, MIGRATIONS)
            async with pool.acquire() as conn:
                started = time.perf_counter()
                book = await load_book(conn, loans, FIRST_DATE)
                book["load_seconds"]["total"] = round(time.perf_counter() - started, 2)
                baseline = await count_instalments(conn)
                evaluations = [await evaluate_day(conn, FIRST_DATE + timedelta(days=d), env.name("eod"))
                               for d in (0, 1)]
                batches = {"fresh_connection": await _on_fresh_connection(url, loans, env.name("eod")),
                           "after_end_of_day_on_same_connection": await reevaluate_batches(
                               conn, FIRST_DATE + timedelta(days=1), env.name("eod"), loans, runs=4)}
        finally:
            await pool.close()
    best = baseline["best_seconds"]
    for e in evaluations:
        e["ratio_to_count"] = round(e["seconds"] / best, 1)
    return {"loans": loans, "book": book, "count_instalments": baseline, "evaluations": evaluations,
            "payment_batch_reevaluation": batches}


async def count_instalments(conn: asyncpg.Connection, runs: int = 3) -> dict:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = await conn.fetchval("SELECT count(*) FROM instalments")
        seconds.append(time.perf_counter() - started)
    return {"rows": rows, "runs_seconds": [round(s, 3) for s in seconds],
            "best_seconds": round(min(seconds), 3), "median_seconds": round(statistics.median(seconds), 3)}


async def evaluate_day(conn: asyncpg.Connection, on: date, topic: str) -> dict:
    """What the service does for one closed date: Evaluator.evaluate for every open loan, the outbox rows, commit."""
    evaluator, now = _evaluator(topic), _tick_time(on)
    calls: Calls = {}
    started = time.perf_counter()
    with timed_all(EVALUATION_STEPS, calls):
        async with conn.transaction():
            tx = Tx(conn, now, emitter(topic))
            await evaluator.evaluate(tx, on)
            messages = tx.outbox
            evaluated = time.perf_counter()
            await outbox.add(conn, messages)
            written = time.perf_counter()
    finished = time.perf_counter()
    steps = totals(calls)
    steps["python_decisions_and_encoding"] = (evaluated - started) - sum(steps.values())
    steps["outbox_insert"] = written - evaluated
    steps["commit"] = finished - written
    kinds = Counter(json.loads(m.payload)["type"].rsplit(".", 1)[-1] for m in messages)
    return {"business_date": on.isoformat(), "seconds": round(finished - started, 2),
            "steps_seconds": {k: round(v, 2) for k, v in steps.items()},
            "events_emitted": len(messages), "events_by_type": dict(sorted(kinds.items()))}


async def reevaluate_batches(conn: asyncpg.Connection, on: date, topic: str, loans: int, *, runs: int,
                             size: int = 5000, timeout_seconds: float = 30) -> dict:
    """What one 5,000-payment batch costs on this book once a date is closed: Evaluator.evaluate for its
    loans, rolled back, `runs` times on one connection (PostgreSQL may switch its prepared statement to
    a generic plan after five executions); a run over `timeout_seconds` is cancelled and shown as null."""
    evaluator, now, rng, seconds = _evaluator(topic), _tick_time(on), random.Random(runs), []
    for _ in range(runs):
        ids = sorted(loan_id(n) for n in rng.sample(range(1, loans + 1), min(size, loans)))
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}")
        started = time.perf_counter()
        try:
            await evaluator.evaluate(Tx(conn, now, emitter(topic)), on, ids)
            seconds.append(round(time.perf_counter() - started, 3))
        except asyncpg.QueryCanceledError:
            seconds.append(None)
        finally:
            await transaction.rollback()
    worst = timeout_seconds if None in seconds else max(seconds)
    return {"loans_per_batch": min(size, loans), "business_date": on.isoformat(), "runs_seconds": seconds,
            "best_seconds": min((s for s in seconds if s is not None), default=None), "worst_seconds": worst,
            "worst_timed_out": None in seconds, "events_per_second_at_worst": round(min(size, loans) / worst)}


async def _on_fresh_connection(url: str, loans: int, topic: str) -> dict:
    conn = await asyncpg.connect(url)
    try:
        return await reevaluate_batches(conn, FIRST_DATE + timedelta(days=1), topic, loans, runs=7)
    finally:
        await conn.close()


def _evaluator(topic: str) -> Evaluator:
    settings = OverdueSettings()
    return Evaluator(Policy(settings.grace_days, BucketTable.parse(settings.buckets)))


def _tick_time(on: date) -> datetime:
    zone = ZoneInfo(OverdueSettings().portfolio_time_zone)
    return datetime.combine(on + timedelta(days=1), clock_time(0, 0, 5), zone)
