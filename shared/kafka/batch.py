"""One consumed batch, one transaction: inbox claim, projection change, outbox rows, commit.

A batch that fails for a reason other than an unavailable dependency is replayed one
message at a time, so the single poison message is dead-lettered and the rest go on.
"""
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from shared import metrics
from shared.db import inbox
from shared.db.transient import is_transient
from shared.db.tx import Tx, UnitOfWork
from shared.events.registry import EVENT_TYPES
from shared.kafka.records import HANDLER_ERROR, DeadLetter, Incoming, RawRecord, classify
from shared.readiness import Readiness
from shared.retry import Backoff, retry_transient

log = logging.getLogger(__name__)
# A handler gets the batch's fresh events inside its unit of work (shared/db/tx.py): it changes the
# projection through `tx.conn`, emits with `tx.emit` and counts with `tx.on_commit`.
BatchHandler = Callable[[Tx, list[Incoming]], Awaitable[None]]
Item = Incoming | DeadLetter


class BatchProcessor:
    def __init__(
        self,
        *,
        service: str,
        unit: UnitOfWork,
        handler: BatchHandler,
        dead_letter_topic: Callable[[str], str],
        readiness: Readiness,
    ):
        self.service = service
        self.unit = unit
        self.handler = handler
        self.dead_letter_topic = dead_letter_topic
        self.readiness = readiness

    async def process(self, records: list[RawRecord]) -> None:
        if not records:
            return
        started = time.perf_counter()
        items = [classify(record) for record in records]
        try:
            await self._commit_with_retry(items)
        except Exception:  # noqa: BLE001 - agents never raise; isolate the poison message
            log.exception("batch failed, replaying it one message at a time", extra={"size": len(items)})
            for item in items:
                await self._process_alone(item)
        metrics.BATCH_SIZE.observe(len(records))
        metrics.BATCH_DURATION.labels(records[0].topic).observe(time.perf_counter() - started)
        metrics.LAST_EVENT_PROCESSED.set_to_current_time()

    async def _process_alone(self, item: Item) -> None:
        try:
            await self._commit_with_retry([item])
        except Exception as error:  # noqa: BLE001
            log.exception("message dead-lettered after a handler error", extra={"offset": item.record.offset})
            event_type = item.type if isinstance(item, Incoming) else None
            dead = DeadLetter(item.record, HANDLER_ERROR, type(error).__name__, event_type)
            await self._dead_letter_until_stored(dead)

    async def _dead_letter_until_stored(self, dead: DeadLetter) -> None:
        """A dead letter that cannot be written points at the database, not the message: wait, retry."""
        backoff = Backoff()
        while True:
            try:
                return await self._commit_with_retry([dead])
            except Exception as error:  # noqa: BLE001 - agents never raise
                self._database_down(error)
                log.warning("dead letter not stored yet, retrying", extra={"error": type(error).__name__})
                await backoff.wait()

    async def _commit_with_retry(self, items: list[Item]) -> None:
        outcomes = await retry_transient(
            lambda: self._commit(items),
            is_transient=is_transient,
            on_failure=self._database_down,
            on_success=lambda: self.readiness.mark("database", True),
        )
        self._count(outcomes)

    def _database_down(self, error: BaseException) -> None:
        self.readiness.mark("database", False)
        metrics.TRANSIENT_RETRIES.labels("database").inc()

    async def _commit(self, items: list[Item]) -> list[tuple[Item, str]]:
        unique = _first_of_each(items)

        async def claim_and_handle(tx: Tx) -> set[int]:
            fresh_ids = await inbox.claim(tx.conn, [_inbox_id(i) for i in unique], [i.record.topic for i in unique])
            fresh = [i for i in unique if _inbox_id(i) in fresh_ids]
            tx.emit_messages(*(d.to_outbox(self.dead_letter_topic(d.record.topic), self.service)
                               for d in fresh if isinstance(d, DeadLetter)))
            if events := [i for i in fresh if isinstance(i, Incoming)]:
                await self.handler(tx, events)
            return {id(i) for i in fresh}

        fresh_set = await self.unit.run(claim_and_handle, require_clock=False)
        return [(i, _outcome(i) if id(i) in fresh_set else "duplicate") for i in items]

    def _count(self, outcomes: list[tuple[Item, str]]) -> None:
        """Once per label set and batch, not per event: labels() is not free at 20,000 events/s."""
        consumed = Counter((i.record.topic, i.type if isinstance(i, Incoming) else _known_type(i.event_type), o)
                           for i, o in outcomes)
        for labels, count in consumed.items():
            metrics.EVENTS_CONSUMED.labels(*labels).inc(count)
        dead = Counter((i.record.topic, i.reason) for i, o in outcomes
                       if isinstance(i, DeadLetter) and o == "dead_lettered")
        for (topic, reason), count in dead.items():
            metrics.DEAD_LETTERS.labels(topic, reason).inc(count)


def _known_type(event_type: str | None) -> str:
    """Label values come from the registry only, so untrusted input cannot grow the series."""
    return event_type if event_type in EVENT_TYPES else "unknown"


def _inbox_id(item: Item) -> str:
    return item.event_id if isinstance(item, Incoming) else item.inbox_id


def _outcome(item: Item) -> str:
    return "processed" if isinstance(item, Incoming) else "dead_lettered"


def _first_of_each(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    unique = []
    for item in items:
        if _inbox_id(item) not in seen:
            seen.add(_inbox_id(item))
            unique.append(item)
    return unique
