"""Agreement tracking's batch handler: negotiated visits, cases, payments and the clock in."""
from collections import defaultdict
from dataclasses import dataclass

import asyncpg

from services.agreement.context import Agreements
from services.agreement.following import end_for_closed_loan, follow
from services.agreement.proposals import propose
from services.agreement.sandbox import sign_at_the_door
from services.agreement.store import agreements
from shared.db import clock as clock_store
from shared.db.outbox import OutboxMessage
from shared.kafka.batch import AfterCommit
from shared.kafka.records import Incoming
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW

CASE_OPEN = {"delinquency.loan_became_overdue": True, "delinquency.loan_bucket_changed": True,
             "delinquency.loan_cured": False, "delinquency.loan_settled": False, "delinquency.loan_closed": False}


@dataclass(frozen=True)
class AgreementHandler:
    ctx: Agreements

    async def __call__(self, conn: asyncpg.Connection, events: list[Incoming], after: AfterCommit) -> list[OutboxMessage]:
        by_type: dict[str, list[Incoming]] = defaultdict(list)
        for event in events:
            by_type[event.type].append(event)
        await agreements.record_payments(conn, [e.data for e in by_type["loan.payment_received"]])
        await agreements.record_reversals(conn, [e.data for e in by_type["loan.payment_reversed"]])
        clock = await clock_store.read_clock(conn)
        messages: list[OutboxMessage] = []
        for event in events:
            now = clock.now or event.envelope.time
            if event.type in CASE_OPEN:
                await agreements.track_case(conn, event.data, CASE_OPEN[event.type])
            if event.type == "delinquency.loan_closed":
                messages += await end_for_closed_loan(conn, self.ctx, event.data.loan_id, now, after)
            elif event.type == "dispatch.visit_completed" and event.data.terms is not None:
                messages += await self._negotiated(conn, event.data, now, after)
        paid_loans = {e.data.loan_id for e in by_type["loan.payment_received"] + by_type["loan.payment_reversed"]}
        for loan_id in sorted(paid_loans) if clock.now else []:
            messages += await follow(conn, self.ctx, clock.now, after, loan_id)
        for tick in by_type["clock.ticked"]:
            messages += await self._tick(conn, tick.data.now, after)
        return messages

    async def _negotiated(self, conn, visit, now, after: AfterCommit) -> list[OutboxMessage]:
        agreement_id, violations, messages = await propose(
            conn, self.ctx, loan_id=visit.loan_id, negotiated=visit.terms, source="visit", now=now, after=after,
            visit_id=visit.visit_id, agreement_id=f"agr-{visit.visit_id}")
        if messages and self.ctx.sandbox_signatures:
            messages += await sign_at_the_door(conn, self.ctx, agreement_id, now, after)
        return messages

    async def _tick(self, conn, now, after: AfterCommit) -> list[OutboxMessage]:
        clock = await clock_store.read_clock(conn)
        if clock.now is not None and now <= clock.now:
            return []
        await clock_store.save_clock(conn, clock_store.ClockState(now, clock.last_closed_date))
        after.append(lambda: (CLOCK_NOW.set(now.timestamp()), CLOCK_LAST_TICK.set_to_current_time()))
        return await follow(conn, self.ctx, now, after)
