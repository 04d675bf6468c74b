"""A payment that clears everything overdue on an open case is announced as soon as it can be decided,
so the services that contact the borrower stop at once (days past due stay a day-end evaluation).

It can be decided once the day before the payment's business date has closed: the open case is then
the one that day's end left. A payment read then (the normal, live case) is decided when it is read; one
read ahead of the clock (a replay, or a consumer catching up) when that day closes. Either way the
answer depends on the events only: the case left by the day before, the schedule, and the payments
and reversals made by the payment's own time.
"""
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.overdue import metrics
from services.overdue.announcements import EVENT_IDS
from services.overdue.domain.calendar import business_date
from services.overdue.domain.delinquency import clears_overdue
from services.overdue.store import paid_up
from shared.db.tx import Tx
from shared.events import delinquency as contract


def decidable_now(paid_at: datetime, last_closed: date | None, zone: ZoneInfo) -> bool:
    """Whether a payment read now is decided now: its business date is the day after the last closed one."""
    return last_closed is not None and business_date(paid_at, zone) == last_closed + timedelta(days=1)


async def announce_if_paid_up(tx: Tx, loan_id: str, payment_id: str, paid_at: datetime, zone: ZoneInfo) -> None:
    position = await paid_up.position_at_payment(tx.conn, loan_id, business_date(paid_at, zone), paid_at)
    if position is None or not clears_overdue(due_before=position["due_before"], paid=position["paid"]):
        return
    case_id = position["case_id"]
    await paid_up.mark_paid_up(tx.conn, loan_id, case_id)
    tx.on_commit(lambda: metrics.TRANSITIONS.labels("paid_up").inc())
    tx.emit(contract.LoanPaidUp(loan_id=loan_id, customer_id=position["customer_id"], case_id=case_id,
                                payment_id=payment_id, paid_at=paid_at,
                                outstanding_amount=max(position["total_due"] - position["paid"], 0),
                                currency=position["currency"]),
            key=loan_id, event_id=str(uuid.uuid5(EVENT_IDS, f"{loan_id}:paid_up:{case_id}")), time=paid_at)


async def announce_read_ahead(tx: Tx, closed_day: date, zone: ZoneInfo) -> None:
    """`closed_day` has just closed: decide the payments of the next day that were read ahead of it."""
    for payment in await paid_up.payments_on(tx.conn, closed_day + timedelta(days=1)):
        await announce_if_paid_up(tx, payment["loan_id"], payment["payment_id"], payment["paid_at"], zone)
