"""The borrower's rights as use cases: choose how (or whether) to be contacted, complain, pick a visit time,
see what was sent. Each returns a result or raises a refusal (shared/refusal.py); api.py speaks HTTP."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from services.outreach import metrics
from services.outreach.casework import view
from services.outreach.context import Outreach
from services.outreach.domain.model import Preferences, change_time
from services.outreach.domain.planning import visit_offer_open
from services.outreach.domain.waiting import WaitingFor
from services.outreach.holds import settle_holds
from services.outreach.store import cases, complaints, contacts, people, visits
from shared.db.tx import Tx
from shared.events import outreach as contract
from shared.events.loan import Address
from shared.refusal import Conflict, NotFound

VISIT_REPORT_WAIT = timedelta(days=2)  # how long a confirmed visit waits for dispatch to report on it


@dataclass(frozen=True)
class VisitRequest:
    visit_request_id: str
    window_start: datetime
    window_end: datetime


async def set_preferences(tx: Tx, customer_id: str, preferences: Preferences) -> datetime:
    """Honoured at once (the rule book reads preferences at every decision and again before every send) and
    announced, so that dispatch honours them for visits. Returns the instant they are in force from."""
    if not await people.lock_customer(tx.conn, customer_id):
        raise NotFound("customer_not_found", "no customer with this id")
    changed_at = change_time(tx.time, await people.preferences_changed_at(tx.conn, customer_id))
    await people.save_preferences(tx.conn, customer_id, preferences, changed_at)
    await cases.resume_customer(tx.conn, customer_id, tx.time, WaitingFor.PREFERENCE)  # honoured at once
    hours = preferences.preferred_hours
    tx.emit(contract.ContactPreferencesChanged(
        customer_id=customer_id, stop_contact=preferences.stop_contact,
        preferred_channel=preferences.preferred_channel,
        preferred_hours_start=f"{hours.start:%H:%M}" if hours else None,
        preferred_hours_end=f"{hours.end:%H:%M}" if hours else None, changed_at=changed_at,
    ), key=customer_id, cause=f"preferences:{customer_id}:{changed_at.isoformat()}", time=changed_at)
    return changed_at


async def complain(tx: Tx, ctx: Outreach, complaint_id: str, customer_id: str, category: str,
                   description: str) -> None:
    """A complaint pauses every case of the person (and cancels what is queued) until it is resolved."""
    await _require_customer(tx, customer_id)
    await complaints.open_complaint(tx.conn, complaint_id, customer_id, category, description, tx.time)
    tx.emit(contract.ComplaintOpened(complaint_id=complaint_id, customer_id=customer_id, category=category,
                                     opened_at=tx.time),
            key=customer_id, cause=complaint_id)
    await settle_holds(tx, ctx, await cases.open_cases_of_customer(tx.conn, customer_id), tx.time)


async def resolve_complaint(tx: Tx, ctx: Outreach, complaint_id: str, resolution: str) -> None:
    """Resolving the person's last open complaint resumes the cases it paused (unless something else holds
    them)."""
    row = await complaints.resolve(tx.conn, complaint_id, resolution, tx.time)
    if row is None:
        raise NotFound("complaint_not_found", "no open complaint with this id")
    tx.emit(contract.ComplaintResolved(complaint_id=complaint_id, customer_id=row["customer_id"],
                                       resolution=resolution, resolved_at=tx.time),
            key=row["customer_id"], cause=f"{complaint_id}:done")
    await settle_holds(tx, ctx, await cases.open_cases_of_customer(tx.conn, row["customer_id"]), tx.time)


async def confirm_visit(tx: Tx, ctx: Outreach, customer_id: str, slot: int, offer_id: str | None = None,
                        ) -> VisitRequest:
    """Only a time the borrower picked (`slot`, from 1) from what was offered becomes a visit request."""
    now = tx.time
    found = await visits.open_offer(tx.conn, customer_id, offer_id)
    if found is None:
        raise NotFound("no_open_offer", "no visit-time offer is waiting for this customer")
    offer_id, case_id, slots = found
    if await complaints.still_open(tx.conn, customer_id):
        raise Conflict("complaint_open", "no visit is arranged while a complaint is open")
    case = await cases.case(tx.conn, case_id)
    if case is None or slot > len(slots):
        raise Conflict("offer_not_available", "the case behind this offer is closed or the slot is unknown")
    if not visit_offer_open(view(ctx, case)):
        raise Conflict("offer_not_available", "the case has moved on since this offer")
    start, end = slots[slot - 1]
    if start <= now:
        raise Conflict("slot_passed", "this time has already begun; ask for new times")
    await visits.confirm(tx.conn, offer_id, start, end)
    loan = await people.loan_contact(tx.conn, case.loan_id)
    if loan is None:
        raise NotFound("loan_not_found", "the loan behind this offer is not known")
    data = contract.VisitRequested(
        visit_request_id=f"visit-{offer_id}", case_id=case.case_id, loan_id=case.loan_id, customer_id=customer_id,
        address=Address.model_validate(loan.address), time_zone=loan.time_zone, window_start=start,
        window_end=end, confirmed_at=now, overdue_amount=case.overdue_amount, currency=case.currency,
    )
    # the ladder stays on the visit step: dispatch's report of the visit moves it (outcomes.visit_result);
    # if dispatch says nothing by then (a no-show is re-planned for the next day), the step counts as not done
    await cases.await_visit(tx.conn, case.case_id, data.visit_request_id, end + VISIT_REPORT_WAIT)
    tx.on_commit(lambda: metrics.VISITS_REQUESTED.labels(case.variant).inc())
    tx.emit(data, key=case.customer_id, cause=offer_id)
    return VisitRequest(data.visit_request_id, start, end)


async def contact_history(conn: asyncpg.Connection, customer_id: str) -> list[dict]:
    """What was sent or attempted and what was blocked, newest first (the borrower's own view)."""
    return [dict(row) for row in await contacts.history(conn, customer_id)]


async def _require_customer(tx: Tx, customer_id: str) -> None:
    if not await people.known(tx.conn, customer_id):
        raise NotFound("customer_not_found", "no customer with this id")
