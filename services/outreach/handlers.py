"""Outreach's batch handler: loan, delinquency, dispatch, agreement and clock events in; decisions and
contacts out.

Within a batch: people and payments first (a case opened in the same batch finds its borrower; a reversal
lets go of what its payment had paid up), then every case-related event in the order it came, then the clock
(promises settle, due cases act).
"""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.outreach import casework, holds
from services.outreach.agreements import agreement_ended, agreement_signed
from services.outreach.context import Outreach
from services.outreach.outcomes import VISIT_RESULTS, settle_promises, visit_result
from services.outreach.store import contact_details, promises
from shared.db.ticks import advance_clock
from shared.db.tx import Tx
from shared.kafka.records import Incoming, by_type

CLOSING = {"delinquency.loan_cured": "cured", "delinquency.loan_settled": "settled",
           "delinquency.loan_closed": "loan_closed"}
SNAPSHOTS = ("delinquency.loan_became_overdue", "delinquency.loan_bucket_changed", *CLOSING)
DISPUTES = ("delinquency.loan_dispute_opened", "delinquency.loan_dispute_resolved")
AGREEMENT_ENDS = {"agreement.broken": "broken", "agreement.fulfilled": "fulfilled", "agreement.ended": "ended"}


@dataclass(frozen=True)
class OutreachHandler:
    ctx: Outreach
    zone: ZoneInfo  # the portfolio's, for business dates

    async def __call__(self, tx: Tx, events: list[Incoming]) -> None:
        grouped = by_type(events)
        await contact_details.add_from_originations(
            tx.conn, [(e.data, e.envelope.time) for e in grouped["loan.originated"]])
        for update in grouped["customer.contact_updated"]:  # each at its event time: the latest wins
            await contact_details.apply_contact_update(tx.conn, update.data, update.envelope.time)
        await promises.record_payments(tx.conn, [e.data for e in grouped["loan.payment_received"]])
        reversals = [e.data for e in grouped["loan.payment_reversed"]]
        await promises.record_reversals(tx.conn, reversals)
        if reversals:
            await holds.payments_reversed(tx, self.ctx, [r.payment_id for r in reversals],
                                          self._at(tx, grouped["loan.payment_reversed"][-1].envelope.time))
        for event in events:
            await self._case_event(tx, event)
        for tick in grouped["clock.ticked"]:
            if await advance_clock(tx, tick.data.now) is None:
                continue  # time never goes back
            await settle_promises(tx, self.ctx, tick.data.now.astimezone(self.zone).date())
            await casework.act_on_due_cases(tx, self.ctx)

    @staticmethod
    def _at(tx: Tx, event_time: datetime) -> datetime:
        return tx.now or event_time  # the service's time; before the first tick, the event's

    async def _case_event(self, tx: Tx, event: Incoming) -> None:
        at = self._at(tx, event.envelope.time)
        data = event.data
        if event.type in SNAPSHOTS:
            await holds.dispute_reported(tx, self.ctx, data, at)
        if event.type == "delinquency.loan_became_overdue":
            await casework.take_up(tx, self.ctx, data, at)
        elif event.type == "delinquency.loan_bucket_changed":
            await casework.refresh(tx, data)
        elif event.type in CLOSING:
            await casework.close_cases(tx, data.loan_id, CLOSING[event.type], at)
        elif event.type in VISIT_RESULTS:
            await visit_result(tx, self.ctx, event.type, data, at)
        elif event.type == "delinquency.loan_paid_up":
            await holds.paid_up(tx, self.ctx, data, at)
        elif event.type in DISPUTES:
            await holds.dispute_changed(tx, self.ctx, data, at)
        elif event.type == "agreement.signed":
            await agreement_signed(tx, self.ctx, data, at)
        elif event.type in AGREEMENT_ENDS:
            await agreement_ended(tx, self.ctx, data, AGREEMENT_ENDS[event.type], at)
