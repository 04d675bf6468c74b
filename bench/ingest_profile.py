"""Where one batch's time goes: the service's batch steps, run one by one on a real batch and rolled back.

The steps are the ones shared/kafka/batch.py and services/overdue/handlers.py run for a
batch of payments, called through the same functions, timed separately.
"""
import time
from zoneinfo import ZoneInfo

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.timing import Calls, timed_all, totals
from services.overdue.announcements import emitter
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.evaluator import Evaluator
from services.overdue.settings import OverdueSettings
from services.overdue.store import book, evaluation, state
from shared.db import clock as clock_store
from shared.db import inbox, outbox
from shared.db.tx import Tx
from shared.kafka.records import classify

BATCH_STEPS = [(inbox, "claim", "inbox_claim"), (book, "add_payments", "payments_insert"),
               (clock_store, "read_clock", "read_clock"), (evaluation, "evaluate", "reevaluate_sql"),
               (evaluation, "repayment_history", "reevaluate_history_sql"),
               (state, "save_states", "reevaluate_save_states"), (outbox, "add", "outbox_insert")]


async def profile_one_batch(conn: asyncpg.Connection, settings: OverdueSettings, topic: str) -> dict:
    steps: dict[str, float] = {}
    records = await _fetch_batch(settings.kafka_bootstrap_servers, topic, settings.consumer_max_records, steps)
    started = time.perf_counter()
    items = [classify(record) for record in records]
    steps["decode_and_validate"] = time.perf_counter() - started
    evaluator = Evaluator(Policy(settings.grace_days, BucketTable.parse(settings.buckets)))
    calls: Calls = {}
    transaction = conn.transaction()
    await transaction.start()
    try:
        with timed_all(BATCH_STEPS, calls):
            await inbox.claim(conn, [i.event_id for i in items], [i.topic for i in items], [i.digest for i in items])
            touched, _ = await book.add_payments(conn, [i.data for i in items], ZoneInfo(settings.portfolio_time_zone))
            clock = await clock_store.read_clock(conn)
            tx = Tx(conn, clock.now, emitter(settings.delinquency_events_topic))
            if clock.last_closed_date and touched:
                before = time.perf_counter()
                await evaluator.evaluate(tx, clock.last_closed_date, sorted(touched))
                steps["reevaluate_total"] = time.perf_counter() - before
            await outbox.add(conn, tx.outbox)
    finally:
        await transaction.rollback()
    steps |= totals(calls)
    total = sum(v for k, v in steps.items() if not k.startswith("reevaluate_") or k == "reevaluate_total")
    return {"events": len(items), "loans_touched": len(touched), "events_emitted": len(tx.outbox),
            "steps_ms": {k: round(v * 1000, 1) for k, v in steps.items()}, "total_ms": round(total * 1000, 1),
            "implied_events_per_second": round(len(items) / total)}


async def _fetch_batch(bootstrap: str, topic: str, max_records: int, steps: dict) -> list:
    """One `getmany` of up to max_records from the start of the topic (no group, nothing committed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_bytes=32 * 1024 * 1024)
    await consumer.start()
    try:
        await consumer.topics()  # loads the cluster's metadata
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list = []
        started = time.perf_counter()
        while len(records) < max_records:
            batch = await consumer.getmany(timeout_ms=1000, max_records=max_records - len(records))
            if not batch:
                break  # a topic shorter than one batch
            records += [r for rs in batch.values() for r in rs]
        steps["kafka_fetch"] = time.perf_counter() - started
        return records
    finally:
        await consumer.stop()

