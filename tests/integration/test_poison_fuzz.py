"""No single message can stop a service: a seeded stream of adversarial messages on every consumed
topic, interleaved with valid events. Afterwards each service is live, ready and caught up, every
valid event is applied once, and every bad one is dead-lettered (or quarantined) with its reason.

FUZZ_MESSAGES sets how many messages each topic gets (`make fuzz` runs thousands; `make test` a
few hundred, bounded in time). The seed is fixed: a failure replays exactly.
"""
import asyncio
import logging
import os
from collections import Counter

import aiohttp
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.events.registry import EVENT_TYPES
from shared.logging import JsonFormatter
from shared.runtime import dead_letter_topic
from tests.helpers.agreement import AgreementUnderTest
from tests.helpers.dispatch import DispatchUnderTest
from tests.helpers.fuzz import APPLIED, DUPLICATE, Adversary, Message
from tests.helpers.kafka import header, read_topic
from tests.helpers.outreach import OutreachUnderTest
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.waiting import eventually

PERSONAL_DATA = ("Test Borrower", "13800000000", "1 Test Road")  # the borrower in every valid origination
PER_TOPIC = int(os.environ.get("FUZZ_MESSAGES", "150"))
KIND_OF_TOPIC = {"loan_events_topic": "loan", "delinquency_events_topic": "delinquency", "clock_topic": "clock"}
SERVICES = [OverdueUnderTest, OutreachUnderTest, DispatchUnderTest, AgreementUnderTest]


@pytest.mark.parametrize("service_class", SERVICES, ids=lambda c: c.service)
async def test_no_message_stops_a_service(stack, service_class, caplog):
    caplog.set_level(logging.INFO)
    async with service_class.running(stack) as service:
        sent = await _send_adversarial_streams(service)
        outcome = await eventually(lambda: _accounted(service, sent), timeout=max(240.0, PER_TOPIC * 0.5), interval=1.0,
                                   what="every message applied, ignored as a duplicate or refused")
        await _live_ready_and_caught_up(service)
        metrics_text = await _metrics(service)
    logs = "\n".join(JsonFormatter(service_class.service).format(r) for r in caplog.records)
    for personal in PERSONAL_DATA:
        assert personal not in logs, f"{personal!r} in the logs"
        assert personal not in metrics_text, f"{personal!r} in the metrics"
    wrong = {where: (expected, got) for where, (expected, got) in outcome.items() if not _fits(expected, got)}
    assert not wrong, f"{len(wrong)} messages not handled as expected, e.g. {list(wrong.items())[:5]}"
    reasons = Counter(got for _, got in outcome.values())
    print(service_class.service, dict(reasons))
    assert reasons[APPLIED] > 0 and sum(n for r, n in reasons.items() if r not in (APPLIED, DUPLICATE)) > 0


async def _send_adversarial_streams(service) -> dict[tuple[str, int, int], Message]:
    producer = AIOKafkaProducer(bootstrap_servers=service.stack.bootstrap, acks="all", enable_idempotence=True,
                                max_request_size=1_100_000)
    await producer.start()
    sent = {}
    try:
        for n, field in enumerate(service.consumed_topics):
            topic = getattr(service.settings, field)
            for message in Adversary(seed=1000 + n, topic_kind=KIND_OF_TOPIC.get(field, "other")).stream(PER_TOPIC):
                written = await _send(producer, topic, message)
                sent[(topic, written.partition, written.offset)] = message
    finally:
        await producer.stop()
    return sent


async def _send(producer: AIOKafkaProducer, topic: str, message: Message):
    """A topic the service has just created may not have a leader yet: retry what the broker says to."""
    for _ in range(50):
        try:
            return await producer.send_and_wait(topic, value=message.value, key=message.key, headers=message.headers)
        except KafkaError as error:
            if not error.retriable:
                raise
            await asyncio.sleep(0.2)
    raise AssertionError(f"{topic} never took a message")


async def _accounted(service, sent: dict) -> dict | None:
    """What became of each message, by position; None while some message is not accounted for."""
    refused = {}
    for field in service.consumed_topics:
        for record in await read_topic(service.stack.bootstrap,
                                       dead_letter_topic(service.service, getattr(service.settings, field))):
            _no_sender_values_in(record)
            where = (header(record, "dlq-source-topic"), int(header(record, "dlq-source-partition")),
                     int(header(record, "dlq-source-offset")))
            refused[where] = header(record, "dlq-reason")
    for row in await service.query("SELECT topic, kafka_partition, kafka_offset, reason FROM quarantine"):
        refused[(row["topic"], row["kafka_partition"], row["kafka_offset"])] = row["reason"]
    claimed = {r["event_id"] for r in await service.query("SELECT event_id FROM inbox")}
    outcome, pending = {}, Pending()
    for where, message in sent.items():
        if where in refused:
            outcome[where] = (message.expected, refused[where])
        elif message.expected in (APPLIED, DUPLICATE) and message.event_id in claimed:
            outcome[where] = (message.expected, message.expected)
        else:
            pending.append((where, message.expected, message.value[:80]))
    return pending if len(pending) else outcome


class Pending(list):
    """Messages not accounted for yet: falsy, so `eventually` waits, and shown when it gives up."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{len(self)} pending, e.g. {list(self[:5])!r}"


def _fits(expected, got: str) -> bool:
    return got == expected if isinstance(expected, str) else got in expected


def _no_sender_values_in(record) -> None:
    """Dead-letter headers carry reasons, field names, positions and digests, never what was sent."""
    headers = dict(record.headers)
    assert all(b"\x00" not in value for value in headers.values())
    if "dlq-event-type" in headers:
        assert headers["dlq-event-type"].decode() in EVENT_TYPES
    assert len(record.value) <= 900_000


async def _metrics(service) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{service.runtime.http_port}/metrics") as response:
            return await response.text()


async def _live_ready_and_caught_up(service) -> None:
    async with aiohttp.ClientSession() as session:
        for probe in ("/healthz", "/readyz"):
            async with session.get(f"http://127.0.0.1:{service.runtime.http_port}{probe}") as response:
                assert response.status == 200, probe
    consumer = service.runtime.consumer._consumer

    async def caught_up():
        assigned = sorted(consumer.assignment())
        ends = await consumer.end_offsets(assigned)
        committed = [await consumer.committed(tp) or 0 for tp in assigned]
        return all(offset >= ends[tp] for offset, tp in zip(committed, assigned, strict=True))

    await eventually(caught_up, timeout=60, what="every partition committed to its end")
