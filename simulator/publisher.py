"""Publish a plan to Kafka, one simulated business day at a time, the clock tick after the day's events."""
import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from shared.kafka.admin import ensure_topics
from simulator.messages import Message, Topics
from simulator.script import DayPlan, Plan

LOAN_EVENTS_PARTITIONS = 4
CLOCK_PARTITIONS = 1

DayCallback = Callable[[int, DayPlan, int], None]
"""Called after each day is written: (day index, the day, messages sent so far)."""


@dataclass(frozen=True)
class PublishStats:
    messages: int
    days: int
    seconds: float


def topic_partitions(topics: Topics) -> dict[str, int]:
    return {topics.loan_events: LOAN_EVENTS_PARTITIONS, topics.clock: CLOCK_PARTITIONS}


def make_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True, linger_ms=5)


async def publish_plan(
    plan: Plan, bootstrap_servers: str, *, day_seconds: float = 0.0, on_day: DayCallback | None = None,
) -> PublishStats:
    """Write every day of `plan` in order. Before each clock tick, every earlier send is
    acknowledged, so a tick is never written before the events that happened before it.
    `day_seconds` paces the days (0: as fast as possible)."""
    await ensure_topics(bootstrap_servers, topic_partitions(plan.topics))
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = 0
    producer = make_producer(bootstrap_servers)
    await producer.start()
    try:
        for index, day in enumerate(plan.days):
            day_started = loop.time()
            await _send_ticks_after_their_events(producer, day.messages, plan.topics.clock)
            sent += len(day.messages)
            if on_day:
                on_day(index, day, sent)
            remaining = day_seconds - (loop.time() - day_started)
            if remaining > 0:
                await asyncio.sleep(remaining)
    finally:
        await producer.stop()
    return PublishStats(messages=sent, days=len(plan.days), seconds=loop.time() - started)


async def _send_ticks_after_their_events(producer: AIOKafkaProducer, messages, clock_topic: str) -> None:
    pending = []
    for message in messages:
        if message.topic == clock_topic:
            await _send_all(producer, pending)
            await _send_all(producer, [message])
            pending = []
        else:
            pending.append(message)
    await _send_all(producer, pending)


async def publish_messages(
    messages: Iterable[Message], bootstrap_servers: str, *, topics: Topics = Topics(), batch: int = 5000,
) -> PublishStats:
    """Write a stream of messages (e.g. `script.payment_flood`) as fast as possible, in order."""
    await ensure_topics(bootstrap_servers, topic_partitions(topics))
    loop = asyncio.get_running_loop()
    started, sent, pending = loop.time(), 0, []
    producer = make_producer(bootstrap_servers)
    await producer.start()
    try:
        for message in messages:
            pending.append(message)
            if len(pending) >= batch:
                sent += await _send_all(producer, pending)
                pending = []
        sent += await _send_all(producer, pending)
    finally:
        await producer.stop()
    return PublishStats(messages=sent, days=0, seconds=loop.time() - started)


async def _send_all(producer: AIOKafkaProducer, messages: list[Message]) -> int:
    """Send in order and wait until every message is acknowledged."""
    acknowledgements: list[Awaitable] = []
    for message in messages:
        acknowledgements.append(await producer.send(message.topic, value=message.value, key=message.key))
    await asyncio.gather(*acknowledgements)
    return len(messages)
