"""The outbox relay: the only path from a service to Kafka.

Rows are claimed with FOR UPDATE SKIP LOCKED under a transaction-scoped advisory lock,
so two relays of one service never send a row twice in the normal path, and per-key
order holds (one relay publishes at a time). After a crash or a failed publish, the relay
first reads back what already reached Kafka (shared/kafka/published.py) so that rows sent
but not marked are not sent again; the event id also travels in the `ce_id` header, so a
consumer's inbox drops any copy that still gets through.
"""
import asyncio
import json
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from shared import metrics
from shared.db import outbox
from shared.db.transient import connection, is_transient
from shared.kafka.published import published_event_ids
from shared.readiness import Readiness
from shared.retry import Backoff

log = logging.getLogger(__name__)
_RELAY_LOCK = 7_201_002

_CLAIM = (
    "SELECT id, event_id, topic, message_key, payload, headers FROM outbox"
    " WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
)


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
        except asyncio.TimeoutError:
            pass

    async def _drain(self) -> None:
        try:
            while await self.publish_once():
                pass
        except Exception as error:  # noqa: BLE001 - unsent rows wait for the next start
            log.warning("outbox not drained at shutdown", extra={"error": type(error).__name__})

    async def publish_once(self) -> int:
        async with connection(self.pool) as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK):
                return 0
            if self._unsure_what_was_sent:
                await self._mark_already_published(conn)
            rows = await conn.fetch(_CLAIM, self.batch_size)
            if not rows:
                return 0
            deliveries = [await self._send(row) for row in rows]
            await asyncio.gather(*deliveries)
            await conn.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
        self.readiness.mark("kafka", True)
        for row in rows:
            metrics.OUTBOX_PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _mark_already_published(self, conn: asyncpg.Connection) -> None:
        topics = [r["topic"] for r in await conn.fetch("SELECT DISTINCT topic FROM outbox WHERE sent_at IS NULL")]
        found = await published_event_ids(self.bootstrap_servers, topics, depth=self.batch_size)
        marked = await conn.execute(
            "UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND event_id = ANY($1::text[])", list(found)
        )
        self._unsure_what_was_sent = False
        if not marked.endswith(" 0"):
            log.info("outbox rows found already published and marked sent", extra={"rows": marked.split()[-1]})

    async def _send(self, row: asyncpg.Record) -> asyncio.Future:
        headers = [("ce_id", row["event_id"].encode())]
        headers += [(k, str(v).encode()) for k, v in json.loads(row["headers"]).items()]
        key = row["message_key"].encode() if row["message_key"] is not None else None
        return await self._producer.send(row["topic"], value=bytes(row["payload"]), key=key, headers=headers)

    async def housekeeping(self) -> None:
        """Export the backlog and forget rows published long ago."""
        async with self.pool.acquire() as conn:
            backlog, age = await outbox.backlog(conn)
            await conn.execute(
                "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", float(self.retention_seconds)
            )
        metrics.OUTBOX_BACKLOG.set(backlog)
        metrics.OUTBOX_OLDEST_AGE.set(age)
