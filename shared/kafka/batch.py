"""One consumed batch, one transaction: inbox claim, projection change, outbox rows, commit.

A batch that fails for a reason other than an unavailable dependency is replayed one
message at a time, so the single poison message is dead-lettered and the rest go on.
"""
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from shared import metrics
from shared.db import inbox
from shared.db.ticks import TickGuard
from shared.db.transient import is_transient
from shared.db.tx import Tx, UnitOfWork
from shared.events.registry import EVENT_TYPES
from shared.kafka.holding import TimeFlow
from shared.kafka.records import HANDLER_ERROR, ID_CONFLICT, DeadLetter, Incoming, RawRecord, Unprocessable, classify
from shared.readiness import Readiness
from shared.retry import retry_transient

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
        tick_guard: TickGuard,
        time_flow: TimeFlow = TimeFlow(),
    ):
        self.tick_guard = tick_guard
        self.time_flow = time_flow
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
            event_type = item.type if isinstance(item, Incoming) else None
            reason, detail = (error.reason, error.detail) if isinstance(error, Unprocessable) else (
                HANDLER_ERROR, type(error).__name__)
            log.warning("message dead-lettered", extra={"reason": reason, "topic": item.record.topic,
                                                       "partition": item.record.partition,
                                                       "offset": item.record.offset})
            await self._dead_letter(DeadLetter(item.record, reason, detail, event_type))

    async def _dead_letter(self, dead: DeadLetter) -> None:
        """Transient failures are waited out in place; a dead letter that still cannot be stored is
        quarantined by position and digest (the last resort), so the partition always moves on."""
        try:
            return await self._commit_with_retry([dead])
        except Exception as error:  # noqa: BLE001 - agents never raise
            log.error("dead letter could not be stored; quarantining the message",
                      extra={"error": type(error).__name__, "topic": dead.record.topic,
                             "partition": dead.record.partition, "offset": dead.record.offset})
        value = dead.record.value or b""
        await retry_transient(
            lambda: self.unit.run(lambda tx: inbox.quarantine(
                tx.conn, dead.inbox_id, dead.record.topic, dead.record.partition, dead.record.offset, dead.reason,
                len(value), hashlib.sha256(value).hexdigest()), require_clock=False),
            is_transient=is_transient, on_failure=self._database_down,
            on_success=lambda: self.readiness.mark("database", True))
        metrics.QUARANTINED.labels(dead.record.topic, dead.reason).inc()

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

        async def claim_and_handle(tx: Tx) -> dict[int, Item]:
            """What became of each item seen for the first time, by id(item)."""
            claim = await inbox.claim(tx.conn, [_inbox_id(i) for i in unique], [i.record.topic for i in unique],
                                      [i.digest if isinstance(i, Incoming) else None for i in unique])
            fresh: dict[int, Item] = {id(i): i for i in unique if _inbox_id(i) in claim.fresh}
            fresh |= await self._conflicts(tx, _reused_ids(items, unique, claim.conflicts))
            tx.emit_messages(*(d.to_outbox(self.dead_letter_topic(d.record.topic), self.service)
                               for d in fresh.values() if isinstance(d, DeadLetter)))
            if events := [i for i in fresh.values() if isinstance(i, Incoming)]:
                if ticks := [e for e in events if e.type == "clock.ticked"]:
                    await self.tick_guard.check(tx.conn, ticks)
                    await self._tick_by_tick(tx, events)
                elif now := await self.time_flow.take(tx, events):
                    await self.handler(tx, now)
            return fresh

        fresh = await self.unit.run(claim_and_handle, require_clock=False)
        return [(fresh[id(i)], _outcome(fresh[id(i)])) if id(i) in fresh else (i, "duplicate") for i in items]

    async def _tick_by_tick(self, tx: Tx, events: list[Incoming]) -> None:
        """Each tick with the held events due by it (docs/time.md)."""
        for event in events:
            before = tx.now
            moves_on = event.type == "clock.ticked" and (before is None or event.data.now > before)
            due = await self.time_flow.released(tx, event.data.now, before) if moves_on else []
            await self.handler(tx, [*due, event])

    @staticmethod
    async def _conflicts(tx: Tx, reused: list[tuple[Incoming, str]]) -> dict[int, Item]:
        """An id seen before with other content: dead-lettered once (by position) with both digests."""
        dead = {id(i): DeadLetter(i.record, ID_CONFLICT, f"first sha256 {first}; received sha256 {i.digest}", i.type)
                for i, first in reused}
        if not dead:
            return {}
        first_time = (await inbox.claim(tx.conn, [d.inbox_id for d in dead.values()],
                                        [d.record.topic for d in dead.values()], [None] * len(dead))).fresh
        return {key: d for key, d in dead.items() if d.inbox_id in first_time}

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


def _reused_ids(items: list[Item], unique: list[Item], stored: dict[str, str]) -> list[tuple[Incoming, str]]:
    """Events whose id was first seen saying something else (earlier, or earlier in this batch),
    each with the digest of that first content."""
    first = {i.event_id: stored.get(i.event_id, i.digest) for i in unique if isinstance(i, Incoming)}
    kept = {id(i) for i in unique}
    return [(i, first[i.event_id]) for i in items if isinstance(i, Incoming)
            and (i.event_id in stored if id(i) in kept else i.digest != first[i.event_id])]


def _first_of_each(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    unique = []
    for item in items:
        if _inbox_id(item) not in seen:
            seen.add(_inbox_id(item))
            unique.append(item)
    return unique
