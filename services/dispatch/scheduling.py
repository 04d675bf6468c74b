"""Visits taken from outreach's confirmed requests, and cancelled when the reason for them goes away."""
from datetime import datetime
from typing import Any

from services.dispatch import metrics
from services.dispatch.assigning import assign_visit
from services.dispatch.context import Dispatch
from services.dispatch.domain.cancellation import cancel_reason, cancels
from services.dispatch.domain.geo import area_code
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.events.outreach import VisitRequested
from shared.rows import reference


async def schedule_visit(tx: Tx, dispatch: Dispatch, request: VisitRequested, now: datetime) -> None:
    """A visit for the borrower's confirmed window, then a team for it; the same request again changes nothing."""
    visit_id = f"visit-{request.visit_request_id}"
    address = request.address
    row = dict(visit_id=visit_id, visit_request_id=request.visit_request_id, case_id=request.case_id,
               loan_id=request.loan_id, customer_id=request.customer_id,
               area=area_code(address.city, address.district), lat=address.latitude, lon=address.longitude,
               address=address.model_dump(mode="json"), time_zone=request.time_zone,
               window_start=request.window_start, window_end=request.window_end,
               overdue_amount=request.overdue_amount, currency=request.currency)
    if not await visits.add(tx.conn, row, now):
        return
    tx.on_commit(metrics.VISITS_SCHEDULED.inc)
    tx.emit(contract.VisitScheduled(visit_id=visit_id, case_id=request.case_id, loan_id=request.loan_id,
                                    customer_id=request.customer_id, visit_request_id=request.visit_request_id,
                                    window_start=request.window_start, window_end=request.window_end),
            key=request.customer_id, time=now, cause=visit_id)
    await assign_visit(tx, dispatch, await visits.visit(tx.conn, visit_id), now)


async def cancel_visits(tx: Tx, event_type: str, data: Any, now: datetime) -> None:
    """The reason for the visits went away before they happened: cured, settled, closed, complaint, agreement.

    A loan's event cancels that loan's visits; a complaint (it pauses all collection for the person)
    every visit of the customer. Visits already begun are left to finish and be reported."""
    reason = cancel_reason(event_type)
    if reason is None:
        return
    loan_id = None if event_type.startswith("outreach.") else getattr(data, "loan_id", None)
    scope = dict(loan_id=loan_id) if loan_id is not None else dict(customer_id=data.customer_id)
    for row in await visits.of_loan_or_customer(tx.conn, **scope):
        if not cancels(event_type, row["status"]):
            continue  # begun, done or cancelled already
        await visits.cancel(tx.conn, row["visit_id"], reason)
        tx.on_commit(lambda: metrics.VISITS_CANCELLED.labels(reason).inc())
        tx.emit(contract.VisitCancelled(reason=reason, **reference(row, "visit_id")), key=row["customer_id"],
                time=now, cause=f"{row['visit_id']}:{reason}")
