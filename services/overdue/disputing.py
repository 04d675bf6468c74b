"""Disputes with the merchant: recorded on their business dates and passed on at once, so every service
that contacts the borrower pauses (or may resume) collection of the loan."""
import uuid
from zoneinfo import ZoneInfo

from services.overdue import metrics
from services.overdue.announcements import EVENT_IDS
from services.overdue.domain.calendar import business_date
from services.overdue.store import disputes
from shared.db.tx import Tx
from shared.events import delinquency as contract
from shared.kafka.records import Incoming


async def dispute_opened(tx: Tx, event: Incoming, zone: ZoneInfo) -> None:
    dispute = event.data
    if not await disputes.open_dispute(tx.conn, dispute, business_date(dispute.disputed_at, zone)):
        return  # known already
    tx.on_commit(lambda: metrics.DISPUTES.labels("opened").inc())
    party = await disputes.loan_party(tx.conn, dispute.loan_id)
    if party is None:
        return  # a loan not seen yet: its snapshots will say it is disputed
    tx.emit(contract.LoanDisputeOpened(loan_id=dispute.loan_id, customer_id=party["customer_id"],
                                       case_id=party["case_id"], dispute_id=dispute.dispute_id,
                                       at=dispute.disputed_at, reason=dispute.reason),
            key=dispute.loan_id, event_id=str(uuid.uuid5(EVENT_IDS, f"{dispute.dispute_id}:opened")),
            time=event.envelope.time)


async def dispute_resolved(tx: Tx, event: Incoming, zone: ZoneInfo) -> None:
    resolution = event.data
    if not await disputes.resolve_dispute(tx.conn, resolution, business_date(resolution.resolved_at, zone)):
        return  # unknown, or resolved already
    tx.on_commit(lambda: metrics.DISPUTES.labels("resolved").inc())
    party = await disputes.loan_party(tx.conn, resolution.loan_id)
    if party is None:
        return
    tx.emit(contract.LoanDisputeResolved(loan_id=resolution.loan_id, customer_id=party["customer_id"],
                                         case_id=party["case_id"], dispute_id=resolution.dispute_id,
                                         at=resolution.resolved_at, outcome=resolution.outcome),
            key=resolution.loan_id, event_id=str(uuid.uuid5(EVENT_IDS, f"{resolution.dispute_id}:resolved")),
            time=event.envelope.time)
