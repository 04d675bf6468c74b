"""The overdue-detection batch handler: loan events and clock ticks in, delinquency events out.

Within a batch the order of application is fixed (originations, reschedules, payments,
reversals, re-evaluation, closures, then the clock), because each step needs the ones before
it; the result does not depend on how messages were split into batches.
"""
import logging
import time as timer
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import asyncpg

from services.overdue import metrics
from services.overdue.domain.calendar import business_date, closed_dates
from services.overdue.store import book, state
from services.overdue.transitions import Evaluator
from shared.db import clock as clock_store
from shared.db.outbox import OutboxMessage
from shared.kafka.batch import AfterCommit
from shared.kafka.records import Incoming
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OverdueHandler:
    evaluator: Evaluator
    zone: ZoneInfo

    async def __call__(self, conn: asyncpg.Connection, events: list[Incoming], after: AfterCommit) -> list[OutboxMessage]:
        by_type: dict[str, list[Incoming]] = defaultdict(list)
        for event in events:
            by_type[event.type].append(event)
        clock = await clock_store.read_clock(conn)
        touched = await self._apply_loan_events(conn, by_type, clock.last_closed_date, after)
        messages: list[OutboxMessage] = []
        if clock.last_closed_date and touched:
            time = clock.now or events[-1].envelope.time
            messages += await self.evaluator.evaluate(conn, clock.last_closed_date, time, after, sorted(touched))
        for closure in by_type["loan.closed"]:
            on = clock.last_closed_date or business_date(closure.data.closed_at, self.zone)
            if await book.close_loan(conn, closure.data):
                messages += await self.evaluator.close(conn, closure.data.loan_id, closure.data.reason, on,
                                                       closure.envelope.time, after)
        for tick in by_type["clock.ticked"]:
            messages += await self._advance_clock(conn, tick.data.now, after)
        return messages

    async def _apply_loan_events(self, conn, by_type: dict[str, list[Incoming]], last_closed: date | None,
                                 after: AfterCommit) -> set[str]:
        """Apply the loan events; return the loans whose position on a closed date may have changed.

        A payment or reversal dated after the last closed date cannot change it (the day's end
        will count it), so only back-dated ones, new loans and new schedules are re-evaluated now.
        """
        originations = by_type["loan.originated"]
        new_loans = await book.add_loans(conn, [e.data for e in originations], [e.envelope.time for e in originations])
        touched = set(new_loans)
        for change in by_type["loan.rescheduled"]:
            if await book.reschedule(conn, change.data):
                touched.add(change.data.loan_id)
        payments = [e.data for e in by_type["loan.payment_received"]]
        _, recorded = await book.add_payments(conn, payments, self.zone)
        touched |= {p.loan_id for p in recorded if self._on_or_before(p.paid_at, last_closed)}
        reversals = [e.data for e in by_type["loan.payment_reversed"]]
        reversed_loans = set(await book.add_reversals(conn, reversals, self.zone))
        touched |= {r.loan_id for r in reversals
                    if r.loan_id in reversed_loans and self._on_or_before(r.reversed_at, last_closed)}
        after.append(lambda: _count_book(len(new_loans), recorded, len(reversals)))
        return touched

    def _on_or_before(self, instant: datetime, last_closed: date | None) -> bool:
        return last_closed is not None and business_date(instant, self.zone) <= last_closed

    async def _advance_clock(self, conn, now, after: AfterCommit) -> list[OutboxMessage]:
        clock = await clock_store.read_clock(conn)
        if clock.now is not None and now <= clock.now:
            return []  # time never goes back; a replayed or stale tick changes nothing
        messages: list[OutboxMessage] = []
        last_closed = clock.last_closed_date
        for day in closed_dates(last_closed, now, self.zone):
            started = timer.perf_counter()
            messages += await self.evaluator.evaluate(conn, day, now, after)
            after.append(lambda seconds=timer.perf_counter() - started: metrics.EOD_DURATION.observe(seconds))
            last_closed = day
        await clock_store.save_clock(conn, clock_store.ClockState(now, last_closed))
        after.append(lambda: _count_clock(now, last_closed))
        return messages


def _count_book(originated: int, payments: list, reversals: int) -> None:
    metrics.LOANS_ORIGINATED.inc(originated)
    metrics.PAYMENTS_REVERSED.inc(reversals)
    metrics.PAYMENTS_RECEIVED.inc(len(payments))
    for payment in payments:
        metrics.PAYMENTS_AMOUNT.labels(payment.currency).inc(payment.amount)


def _count_clock(now: datetime, last_closed: date | None) -> None:
    CLOCK_NOW.set(now.timestamp())
    CLOCK_LAST_TICK.set_to_current_time()
    if last_closed is not None:
        metrics.LAST_CLOSED_DATE.set(datetime.combine(last_closed, time(), timezone.utc).timestamp())
