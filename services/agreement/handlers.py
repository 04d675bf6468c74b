"""Agreement tracking's batch handler: delinquency cases, negotiated visits, loan payments and the clock in.

Payments and reversals are recorded first; then cases, closed loans and negotiated visits in the
batch's order; then the agreements on loans that were paid are followed; then each clock tick
moves the service's time and follows every active agreement as of it.
"""
from dataclasses import dataclass

from services.agreement.context import Context
from services.agreement.following import end_for_closed_loan, follow
from services.agreement.proposals import propose
from services.agreement.sandbox import sign_at_the_door
from services.agreement.store import agreements
from shared.db.ticks import advance_clock
from shared.db.tx import Tx
from shared.events.dispatch import VisitCompleted
from shared.kafka.records import Incoming, by_type

CASE_OPEN = {"delinquency.loan_became_overdue": True, "delinquency.loan_bucket_changed": True,
             "delinquency.loan_cured": False, "delinquency.loan_settled": False, "delinquency.loan_closed": False}


@dataclass(frozen=True)
class AgreementHandler:
    ctx: Context
    sandbox_signatures: bool = False  # make run: the borrower at the door signs what was negotiated

    async def __call__(self, tx: Tx, events: list[Incoming]) -> None:
        grouped = by_type(events)
        payments, reversals = grouped["loan.payment_received"], grouped["loan.payment_reversed"]
        await agreements.record_payments(tx.conn, [e.data for e in payments])
        await agreements.record_reversals(tx.conn, [e.data for e in reversals])
        clock_now = tx.now  # before this batch's ticks
        for event in events:
            now = clock_now or event.envelope.time
            if event.type in CASE_OPEN:
                await agreements.track_case(tx.conn, event.data, CASE_OPEN[event.type])
            if event.type == "delinquency.loan_closed":
                await end_for_closed_loan(tx, event.data.loan_id, now)
            elif event.type == "dispatch.visit_completed" and event.data.terms is not None:
                await self._negotiated(tx, event.data)
        if clock_now is not None:
            for loan_id in sorted({e.data.loan_id for e in payments + reversals}):
                await follow(tx, self.ctx, loan_id)
        for tick in grouped["clock.ticked"]:
            if await advance_clock(tx, tick.data.now) is not None:
                await follow(tx, self.ctx)

    async def _negotiated(self, tx: Tx, visit: VisitCompleted) -> None:
        """Proposed, and in `make run` signed, at the door: at the time the visit reports, not at this
        service's clock (which may still be hours behind the visit)."""
        at = visit.completed_at
        proposed = await propose(tx, self.ctx, loan_id=visit.loan_id, negotiated=visit.terms, source="visit",
                                 now=at, visit_id=visit.visit_id, agreement_id=f"agr-{visit.visit_id}")
        if proposed.created and self.sandbox_signatures:
            await sign_at_the_door(tx, f"agr-{visit.visit_id}", at)
