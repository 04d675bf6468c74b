"""The outbox relay: the only path from a service to Kafka.

Rows are claimed with FOR UPDATE SKIP LOCKED under a transaction-scoped advisory lock,
so two relays of one service never send a row twice in the normal path, and per-key
order holds (one relay publishes at a time). After a crash or a failed publish, the relay
first reads back what already reached Kafka (shared/kafka/published.py) so that rows sent
but not marked are not sent again (it finds them by the `message-id` header, the row's event id); a
copy that still gets through carries the same event id, so a consumer's inbox drops it.

Events go out in CloudEvents structured mode: the value is the whole event, the row's headers say
`content-type: application/cloudevents+json` (shared/db/tx.py). No `ce_*` header is added: to the
Kafka binding a `ce_` header means binary mode, whose attributes would then be missing.
"""
import asyncio
import json
import logging
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer, errors

from shared import metrics
from shared.db import outbox
from shared.db.transient import connection, is_transient
from shared.kafka.published import MESSAGE_ID, published_event_ids
from shared.progress import Progress
from shared.readiness import Readiness
from shared.retry import Backoff

log = logging.getLogger(__name__)
# What the broker refuses for this record whatever is retried: the row is set aside, the rest go on.
NEVER_ACCEPTED = (errors.MessageSizeTooLargeError, errors.RecordTooLargeError, errors.RecordListTooLargeError,
                  errors.InvalidTopicError, errors.CorruptRecordException)


class OutboxRelay:
    def __init__(self, *, pool: asyncpg.Pool, bootstrap_servers: str, readiness: Readiness,
                 batch_size: int = 2000, retention_seconds: int = 3600, idle_poll_seconds: float = 0.25):
        self.pool = pool
        self.readiness = readiness
        self.batch_size = batch_size
        self.retention_seconds = retention_seconds
        self.idle_poll_seconds = idle_poll_seconds
        self.bootstrap_servers = bootstrap_servers
        self._unsure_what_was_sent = True  # at start, and after any failed publish
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.progress = Progress("relay")
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_batch_size=256 * 1024,
        )

    async def start(self) -> None:
        await self._producer.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def close(self) -> None:
        await self._producer.stop()

    async def run(self) -> None:
        """Publish until stopped, then drain what is left."""
        backoff = Backoff()
        while not self._stopping.is_set():
            try:
                with self.progress.working():
                    sent = await self.publish_once()
                backoff.reset()
            except Exception as error:  # noqa: BLE001 - the relay must outlive outages
                self._unsure_what_was_sent = True
                self.readiness.mark("database" if is_transient(error) else "kafka", False)
                metrics.TRANSIENT_RETRIES.labels("relay").inc()
                log.warning("outbox relay failed, retrying", extra={"error": type(error).__name__})
                await backoff.wait()
                continue
            if sent < self.batch_size:
                await self._idle()
        await self._drain()

    async def _idle(self) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
        except TimeoutError:
            pass

    async def _drain(self) -> None:
        try:
            while await self.publish_once():
                pass
        except Exception as error:  # noqa: BLE001 - unsent rows wait for the next start
            log.warning("outbox not drained at shutdown", extra={"error": type(error).__name__})

    async def publish_once(self) -> int:
        async with connection(self.pool) as conn, conn.transaction():
            if not await outbox.take_publisher_lock(conn):
                return 0
            if self._unsure_what_was_sent:
                await self._mark_already_published(conn)
            rows = await outbox.claim_unsent(conn, self.batch_size)
            if not rows:
                return 0
            refused = await self._publish(rows)
            await outbox.mark_sent(conn, [r["id"] for r in rows if r["id"] not in refused])
            await outbox.set_aside(conn, refused)
        self.readiness.mark("kafka", True)
        for row in rows:
            if row["id"] in refused:
                metrics.OUTBOX_SET_ASIDE.labels(row["topic"]).inc()
                log.error("outbox row refused by the broker for good; set aside",
                          extra={"topic": row["topic"], "error": refused[row["id"]]})
            else:
                metrics.OUTBOX_PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _publish(self, rows: list[asyncpg.Record]) -> dict[int, str]:
        """Send the rows; returns those the broker will never take (row id -> error name). Any other
        failure (broker down, not authorised) raises: nothing is marked, everything is retried."""
        refused: dict[int, str] = {}
        deliveries: list[tuple[int, asyncio.Future[Any]]] = []
        for row in rows:
            try:
                deliveries.append((row["id"], await self._send(row)))
            except NEVER_ACCEPTED as error:
                refused[row["id"]] = type(error).__name__
        results = await asyncio.gather(*(d for _, d in deliveries), return_exceptions=True)
        for (row_id, _), result in zip(deliveries, results, strict=True):
            if isinstance(result, NEVER_ACCEPTED):
                refused[row_id] = type(result).__name__
            elif isinstance(result, BaseException):
                raise result
        return refused

    async def _mark_already_published(self, conn: asyncpg.Connection) -> None:
        topics = await outbox.unsent_topics(conn)
        found = await published_event_ids(self.bootstrap_servers, topics, depth=self.batch_size)
        marked = await outbox.mark_published(conn, found)
        self._unsure_what_was_sent = False
        if marked:
            log.info("outbox rows found already published and marked sent", extra={"rows": marked})

    async def _send(self, row: asyncpg.Record) -> "asyncio.Future[Any]":
        headers = [(MESSAGE_ID, row["event_id"].encode())]
        headers += [(k, str(v).encode()) for k, v in json.loads(row["headers"]).items()]
        key = row["message_key"].encode() if row["message_key"] is not None else None
        delivery: asyncio.Future[Any] = await self._producer.send(row["topic"], value=bytes(row["payload"]), key=key,
                                                                 headers=headers)
        return delivery

    async def housekeeping(self) -> None:
        """Export the backlog and forget rows published long ago."""
        async with self.pool.acquire() as conn:
            backlog, age = await outbox.backlog(conn)
            await outbox.forget_sent(conn, self.retention_seconds)
        metrics.OUTBOX_BACKLOG.set(backlog)
        metrics.OUTBOX_OLDEST_AGE.set(age)
