"""Visits taken from outreach's confirmed requests, each a recorded decision (conduct.py)."""
from datetime import datetime

from services.dispatch import conduct, metrics
from services.dispatch.assigning import assign_visit
from services.dispatch.context import Dispatch
from services.dispatch.domain.conduct import ALLOWED
from services.dispatch.domain.geo import area_code
from services.dispatch.store import conduct as conduct_store
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.events.outreach import VisitRequested


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
    visit = await visits.visit(tx.conn, visit_id)
    rule = await conduct.rule_for(tx.conn, visit)
    await conduct_store.record_decision(tx.conn, visit, "schedule", rule, dispatch.policy.version, now)
    tx.on_commit(metrics.VISITS_SCHEDULED.inc)
    tx.emit(contract.VisitScheduled(visit_id=visit_id, case_id=request.case_id, loan_id=request.loan_id,
                                    customer_id=request.customer_id, visit_request_id=request.visit_request_id,
                                    window_start=request.window_start, window_end=request.window_end,
                                    rule_id=rule, policy_version=dispatch.policy.version),
            key=request.customer_id, time=now, cause=visit_id)
    if rule == ALLOWED:
        await assign_visit(tx, dispatch, visit, now)
    else:  # a fact that forbids it arrived before the request: outreach hears why
        await conduct.cancel(tx, dispatch, visit, rule, now)
