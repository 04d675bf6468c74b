"""The payment flood: originations on one topic, payments on another, published before anyone reads.

Two topics so that the timed runs read payments only: each service run first loads the
loans from the originations topic (untimed), then is restarted on the payments topic.
"""
import dataclasses
import time
from dataclasses import dataclass

from shared.kafka.admin import ensure_topics
from simulator.messages import Topics
from simulator.publisher import publish_messages
from simulator.script import payment_flood

PARTITIONS = 4
SEED = 20260101


@dataclass(frozen=True)
class Flood:
    originations_topic: str
    payments_topic: str
    clock_topic: str
    loans: int
    payments: int
    build_seconds: float
    publish_seconds: float


async def publish_flood(bootstrap: str, names, loans: int, payments_per_loan: int) -> Flood:
    """`names(label)` gives this run's unique topic names."""
    originations_topic, payments_topic, clock_topic = names("originations"), names("payments"), names("clock")
    await ensure_topics(bootstrap, {originations_topic: PARTITIONS, payments_topic: PARTITIONS, clock_topic: 1})
    started = time.perf_counter()
    messages = list(payment_flood(SEED, loans, payments_per_loan, topic=payments_topic))
    originations = [dataclasses.replace(m, topic=originations_topic) for m in messages[:loans]]
    payments = messages[loans:]
    assert all(m.event_type == "loan.originated" for m in originations)
    assert all(m.event_type == "loan.payment_received" for m in payments)
    built = time.perf_counter()
    await publish_messages(originations, bootstrap, topics=Topics(originations_topic, clock_topic))
    await publish_messages(payments, bootstrap, topics=Topics(payments_topic, clock_topic))
    return Flood(originations_topic, payments_topic, clock_topic, len(originations), len(payments),
                 build_seconds=built - started, publish_seconds=time.perf_counter() - built)
