"""The overdue-detection batch handler: loan events and clock ticks in, delinquency events out.

Within a batch the order of application is fixed (originations, reschedules, payments,
reversals, re-evaluation, closures, then the clock), because each step needs the ones before
it; the result does not depend on how messages were split into batches. Payments and closures take
effect on their business day, whenever they are read: a closure closes the loan at the end of the
later of the day it happened and the day it was announced, after that day's evaluation.
"""
import time as timer
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.overdue import disputing, metrics, paying_up
from services.overdue.domain.calendar import business_date, closed_dates
from services.overdue.evaluator import Evaluator
from services.overdue.store import book
from shared.db import clock as clock_store
from shared.db.ticks import advance_clock
from shared.db.tx import Tx
from shared.events.loan import PaymentReceived
from shared.kafka.records import Incoming, by_type


@dataclass(frozen=True)
class OverdueHandler:
    evaluator: Evaluator
    zone: ZoneInfo

    async def __call__(self, tx: Tx, events: list[Incoming]) -> None:
        grouped = by_type(events)
        clock = await clock_store.read_clock(tx.conn)
        touched = await self._apply_loan_events(tx, grouped, clock.last_closed_date)
        for dispute in grouped["loan.disputed"]:
            await disputing.dispute_opened(tx, dispute, self.zone)
        for resolution in grouped["loan.dispute_resolved"]:
            await disputing.dispute_resolved(tx, resolution, self.zone)
        if clock.last_closed_date and touched:  # corrected forward, as of the last closed day
            await self.evaluator.evaluate(tx, clock.last_closed_date, sorted(touched),
                                          reversals_through=clock.last_closed_date + timedelta(days=1))
        for closure in grouped["loan.closed"]:
            closes_on = max(business_date(closure.data.closed_at, self.zone),
                            business_date(closure.envelope.time, self.zone))
            recorded = await book.close_loan(tx.conn, closure.data, closes_on, closure.envelope.time)
            if recorded and clock.last_closed_date is not None and closes_on <= clock.last_closed_date:
                # announced for a day already closed: it takes effect now, on the last closed day
                await self.evaluator.close(tx, closure.data.loan_id, closure.data.reason, clock.last_closed_date,
                                           closure.envelope.time)
        for tick in grouped["clock.ticked"]:
            await self._advance_clock(tx, tick.data.now)

    async def _apply_loan_events(self, tx: Tx, grouped: dict[str, list[Incoming]], last_closed: date | None,
                                 ) -> set[str]:
        """Apply the loan events; return the loans whose position on a closed date may have changed.

        A payment or reversal dated after the last closed date cannot change it (the day's end
        will count it), so only back-dated ones, new loans and new schedules are re-evaluated now.
        """
        conn = tx.conn
        originations = grouped["loan.originated"]
        new_loans = await book.add_loans(conn, [e.data for e in originations], [e.envelope.time for e in originations])
        touched = set(new_loans)
        for change in grouped["loan.rescheduled"]:
            if await book.reschedule(conn, change.data):
                touched.add(change.data.loan_id)
        payments = [e.data for e in grouped["loan.payment_received"]]
        _, recorded = await book.add_payments(conn, payments, self.zone)
        touched |= {p.loan_id for p in recorded if self._on_or_before(p.paid_at, last_closed)}
        for payment in sorted(recorded, key=lambda p: (p.paid_at, p.payment_id)):
            if paying_up.decidable_now(payment.paid_at, last_closed, self.zone):
                await paying_up.announce_if_paid_up(tx, payment.loan_id, payment.payment_id, payment.paid_at,
                                                    self.zone)
        reversals = [e.data for e in grouped["loan.payment_reversed"]]
        reversed_loans = set(await book.add_reversals(conn, reversals, self.zone))
        # a reversal removes its payment from every date: on arrival (up to the day in progress) the loan
        # is re-evaluated as of the last closed day, its case continuing or reopening
        touched |= {r.loan_id for r in reversals if r.loan_id in reversed_loans and last_closed is not None
                    and business_date(r.reversed_at, self.zone) <= last_closed + timedelta(days=1)}
        tx.on_commit(lambda: _count_book(len(new_loans), recorded, len(reversals)))
        return touched

    async def _correct_for_reversals_read_ahead(self, tx: Tx, closed_day: date) -> None:
        """A reversal of the next day read ahead of the clock corrects `closed_day` now, as it would have on
        arrival had it been read live (then, `closed_day` was the last closed one): the same events either way."""
        loans = await book.loans_reversed_on(tx.conn, closed_day + timedelta(days=1))
        if loans:
            await self.evaluator.evaluate(tx, closed_day, loans, reversals_through=closed_day + timedelta(days=1))

    def _on_or_before(self, instant: datetime, last_closed: date | None) -> bool:
        return last_closed is not None and business_date(instant, self.zone) <= last_closed

    async def _advance_clock(self, tx: Tx, now: datetime) -> None:
        before = await advance_clock(tx, now)
        if before is None:
            return
        last_closed = before.last_closed_date
        for day in closed_dates(last_closed, now, self.zone):
            started = timer.perf_counter()
            await self.evaluator.evaluate(tx, day)
            for due in await book.closures_due(tx.conn, day):
                await self.evaluator.close(tx, due["loan_id"], due["closed_reason"], day, due["closure_announced_at"])
            await paying_up.announce_read_ahead(tx, day, self.zone)
            await self._correct_for_reversals_read_ahead(tx, day)
            tx.on_commit(lambda seconds=timer.perf_counter() - started: metrics.EOD_DURATION.observe(seconds))
            last_closed = day
        await clock_store.save_clock(tx.conn, clock_store.ClockState(now, last_closed))
        tx.on_commit(lambda: _count_closed_date(last_closed))


def _count_book(originated: int, payments: list[PaymentReceived], reversals: int) -> None:
    metrics.LOANS_ORIGINATED.inc(originated)
    metrics.PAYMENTS_REVERSED.inc(reversals)
    metrics.PAYMENTS_RECEIVED.inc(len(payments))
    for payment in payments:
        metrics.PAYMENTS_AMOUNT.labels(payment.currency).inc(payment.amount)


def _count_closed_date(last_closed: date | None) -> None:
    if last_closed is not None:
        metrics.LAST_CLOSED_DATE.set(datetime.combine(last_closed, time(), UTC).timestamp())
