"""Outreach's batch handler: loan, delinquency and clock events in; decisions and contacts out."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from services.outreach import metrics
from services.outreach.casework import act_on_due_cases, choose_ladder
from services.outreach.context import Outreach
from services.outreach.outcomes import (
    AGREEMENT_CHANGES, VISIT_RESULTS, agreement_changed, settle_promises, visit_result,
)
from services.outreach.store import cases, people, promises
from shared.db import clock as clock_store
from shared.db.outbox import OutboxMessage
from shared.kafka.batch import AfterCommit
from shared.kafka.records import Incoming
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW

CLOSING = {"delinquency.loan_cured": "cured", "delinquency.loan_settled": "settled",
           "delinquency.loan_closed": "loan_closed"}


@dataclass(frozen=True)
class OutreachHandler:
    ctx: Outreach
    zone: ZoneInfo  # the portfolio's, for business dates

    async def __call__(self, conn: asyncpg.Connection, events: list[Incoming], after: AfterCommit) -> list[OutboxMessage]:
        by_type: dict[str, list[Incoming]] = defaultdict(list)
        for event in events:
            by_type[event.type].append(event)
        await people.add_from_originations(conn, [e.data for e in by_type["loan.originated"]])
        for update in by_type["customer.contact_updated"]:
            await people.apply_contact_update(conn, update.data)
        await promises.record_payments(conn, [e.data for e in by_type["loan.payment_received"]])
        await promises.record_reversals(conn, [e.data for e in by_type["loan.payment_reversed"]])
        clock = await clock_store.read_clock(conn)
        for event in events:
            await self._delinquency(conn, event, clock.now or event.envelope.time, after)
            if event.type in VISIT_RESULTS:
                await visit_result(conn, self.ctx, event, clock.now or event.envelope.time)
            elif event.type in AGREEMENT_CHANGES:
                await agreement_changed(conn, self.ctx, event, clock.now or event.envelope.time)
        messages: list[OutboxMessage] = []
        for tick in by_type["clock.ticked"]:
            messages += await self._tick(conn, tick.data.now, after)
        return messages

    async def _delinquency(self, conn, event: Incoming, now: datetime, after: AfterCommit) -> None:
        data = event.data
        if event.type == "delinquency.loan_became_overdue":
            variant = self.ctx.strategy.variant_of(data.case_id)
            ladder = await choose_ladder(conn, self.ctx, variant, data.customer_id, data.bucket, data.risk_segment,
                                         data.overdue_amount, 0)
            if await cases.open_case(conn, data, variant, ladder, now):
                after.append(lambda: metrics.CASES_OPENED.labels(variant).inc())
        elif event.type == "delinquency.loan_bucket_changed":
            await cases.refresh_case(conn, data)
        elif event.type in CLOSING:
            closed = await cases.close_cases_of_loan(conn, data.loan_id, CLOSING[event.type], now)
            after.append(lambda n=len(closed), r=CLOSING[event.type]: metrics.CASES_CLOSED.labels(r).inc(n))

    async def _tick(self, conn, now: datetime, after: AfterCommit) -> list[OutboxMessage]:
        clock = await clock_store.read_clock(conn)
        if clock.now is not None and now <= clock.now:
            return []  # time never goes back
        await clock_store.save_clock(conn, clock_store.ClockState(now, clock.last_closed_date))
        after.append(lambda: (CLOCK_NOW.set(now.timestamp()), CLOCK_LAST_TICK.set_to_current_time()))
        today = now.astimezone(self.zone).date()
        return await settle_promises(conn, self.ctx, today, now, after) + await act_on_due_cases(
            conn, self.ctx, now, after)
