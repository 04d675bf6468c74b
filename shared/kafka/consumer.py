"""The consume loop: one `getmany` batch, one transaction, then the offset commit.

faust's per-message path tops out near 10,000 events/s on these machines (see
docs/architecture.md and `make bench`); a high-volume topic is read here in batches instead.
"""
import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from shared import metrics
from shared.kafka.batch import BatchProcessor
from shared.progress import Progress
from shared.readiness import Readiness

log = logging.getLogger(__name__)


class BatchConsumer:
    def __init__(
        self,
        *,
        topics: list[str],
        bootstrap_servers: str,
        group_id: str,
        processor: BatchProcessor,
        readiness: Readiness,
        max_records: int = 5000,
        clock_topics: tuple[str, ...] = (),
        instance_id: str | None = None,
        session_timeout_ms: int = 10_000,
    ):
        self.topics = topics
        self.processor = processor
        self.readiness = readiness
        self.max_records = max_records
        self.clock_topics = clock_topics
        self._stopping = asyncio.Event()
        self.progress = Progress("consumer")
        self._lag_series: set[tuple[str, str]] = set()
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            fetch_max_bytes=32 * 1024 * 1024,
            group_instance_id=instance_id,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(1_000, session_timeout_ms // 3),
            max_poll_interval_ms=900_000,
        )

    async def start(self) -> None:
        await self._consumer.start()
        self.readiness.mark("kafka", True)

    def stop(self) -> None:
        self._stopping.set()

    async def probe(self) -> None:
        """Raises unless the broker answers a metadata request."""
        await self._consumer.topics()

    async def record_lag(self) -> None:
        """Lag of every partition this replica owns, from the broker's end offsets and the group's
        committed offsets: it keeps growing while the consumer is stuck, and a partition that moved to
        another replica stops being reported here (periodic, beside the update after each commit)."""
        assigned = sorted(self._consumer.assignment())
        reported: set[tuple[str, str]] = set()
        if assigned:
            ends = await self._consumer.end_offsets(assigned)
            for tp in assigned:
                committed = await self._consumer.committed(tp)
                lag = ends[tp] - (committed or 0)
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, lag))
                reported.add((tp.topic, str(tp.partition)))
        for topic, partition in self._lag_series - reported:
            metrics.CONSUMER_LAG.remove(topic, partition)
        self._lag_series = reported

    async def close(self) -> None:
        await self._consumer.stop()

    async def run(self) -> None:
        """Consume until stopped; a batch is committed to Kafka only after its transaction."""
        while not self._stopping.is_set():
            try:
                batch = await self._consumer.getmany(timeout_ms=200, max_records=self.max_records)
            except KafkaError as error:
                self.readiness.mark("kafka", False)
                log.warning("kafka fetch failed", extra={"error": type(error).__name__})
                await asyncio.sleep(1.0)
                continue
            self.readiness.mark("kafka", True)
            if not batch:
                continue
            with self.progress.working():
                await self._handle(batch)

    async def _handle(self, batch: dict[TopicPartition, list[Any]]) -> None:
        ordinary = {tp: records for tp, records in batch.items() if tp.topic not in self.clock_topics}
        ticks = {tp: records for tp, records in batch.items() if tp.topic in self.clock_topics}
        if ordinary:
            await self._process(ordinary)
        if ticks and await self._caught_up():
            await self._process(ticks)

    async def _process(self, batch: dict[TopicPartition, list[Any]]) -> None:
        records = [record for records in batch.values() for record in records]
        await self.processor.process(records)
        await self._commit({tp: records[-1].offset + 1 for tp, records in batch.items()})

    async def _caught_up(self) -> bool:
        """Before a clock tick, read every other assigned partition up to its end as of now.

        The clock's producer writes a tick after the events of the time it closes, so this
        makes the end of a day see every event written before the tick: runs are deterministic
        whatever the fetch interleaving.
        """
        others = [tp for tp in self._consumer.assignment() if tp.topic not in self.clock_topics]
        targets = await self._consumer.end_offsets(others)
        while not self._stopping.is_set():
            behind = [tp for tp in others if await self._consumer.position(tp) < targets[tp]]
            if not behind:
                return True
            batch = await self._consumer.getmany(*behind, timeout_ms=200, max_records=self.max_records)
            if batch:
                await self._process(batch)
        return False  # stopping: the tick is not committed and comes back after the restart

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as error:
            # The inbox makes the redelivery that follows harmless.
            log.warning("offset commit failed; messages will be redelivered", extra={"error": type(error).__name__})
        self._record_lag(offsets)

    def _record_lag(self, offsets: dict[TopicPartition, int]) -> None:
        for tp, next_offset in offsets.items():
            highwater = self._consumer.highwater(tp)
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - next_offset))
