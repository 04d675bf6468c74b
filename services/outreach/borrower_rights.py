"""The borrower's rights as actions: choose how (or whether) to be contacted, complain, pick a visit time."""
from datetime import datetime, timedelta

import asyncpg
from aiohttp import web

from services.outreach import metrics
from services.outreach.context import Outreach
from services.outreach.events_out import outreach_message
from services.outreach.requests import ComplaintFiled, PreferencesUpdate, VisitConfirmation
from services.outreach.store import cases, complaints, people, visits
from shared.events import outreach as contract
from shared.events.loan import Address
from shared.web import error

Result = tuple[web.Response, list]
VISIT_REPORT_WAIT = timedelta(days=2)  # how long a confirmed visit waits for dispatch to report on it


async def set_preferences(conn: asyncpg.Connection, customer_id: str, update: PreferencesUpdate,
                          now: datetime) -> Result:
    """Honoured at once: the rule book reads preferences at every decision."""
    if not await _known(conn, customer_id):
        return error(404, "customer_not_found", "no customer with this id"), []
    hours = update.preferred_hours
    await conn.execute(
        "INSERT INTO preferences (customer_id, stop_contact, preferred_channel, preferred_start, preferred_end,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id) DO UPDATE SET"
        " stop_contact = excluded.stop_contact, preferred_channel = excluded.preferred_channel,"
        " preferred_start = excluded.preferred_start, preferred_end = excluded.preferred_end,"
        " updated_at = excluded.updated_at",
        customer_id, update.stop_contact, update.preferred_channel, hours.start if hours else None,
        hours.end if hours else None, now,
    )
    await cases.resume_customer(conn, customer_id, now, "preference")  # honoured at once, either way
    return web.json_response({"customer_id": customer_id, **update.model_dump(mode="json")}), []


async def complain(conn: asyncpg.Connection, ctx: Outreach, complaint_id: str, filed: ComplaintFiled,
                   now: datetime) -> Result:
    if not await _known(conn, filed.customer_id):
        return error(404, "customer_not_found", "no customer with this id"), []
    await complaints.open_complaint(conn, complaint_id, filed.customer_id, filed.category, filed.description, now)
    await cases.pause_customer(conn, filed.customer_id)
    data = contract.ComplaintOpened(complaint_id=complaint_id, customer_id=filed.customer_id,
                                    category=filed.category, opened_at=now)
    message = outreach_message(data, topic=ctx.topic, key=filed.customer_id, time=now, cause=complaint_id)
    return web.json_response({"complaint_id": complaint_id, "status": "open"}, status=201), [message]


async def resolve_complaint(conn: asyncpg.Connection, ctx: Outreach, complaint_id: str, resolution: str,
                            now: datetime) -> Result:
    row = await complaints.resolve(conn, complaint_id, resolution, now)
    if row is None:
        return error(404, "complaint_not_found", "no open complaint with this id"), []
    if not await complaints.still_open(conn, row["customer_id"]):
        await cases.resume_customer(conn, row["customer_id"], now, "complaint")
    data = contract.ComplaintResolved(complaint_id=complaint_id, customer_id=row["customer_id"],
                                      resolution=resolution, resolved_at=now)
    message = outreach_message(data, topic=ctx.topic, key=row["customer_id"], time=now, cause=f"{complaint_id}:done")
    return web.json_response({"complaint_id": complaint_id, "status": "resolved"}), [message]


def _waiting_for_visit_confirmation(ctx: Outreach, case) -> bool:
    """Still on the visit step that made the offer, with no agreement in force."""
    ladder = ctx.ladder(case.variant, case.ladder)
    steps = ladder.steps if ladder else []
    on_visit = case.step_index < len(steps) and steps[case.step_index].action == "visit"
    return on_visit and case.agreement_id is None and case.waiting_for in ("visit_confirmation", "outcome")


async def confirm_visit(conn: asyncpg.Connection, ctx: Outreach, customer_id: str, chosen: VisitConfirmation,
                        now: datetime, after) -> Result:
    """Only a time the borrower picked from what was offered becomes a visit request."""
    found = await visits.open_offer(conn, customer_id, chosen.offer_id)
    if found is None:
        return error(404, "no_open_offer", "no visit-time offer is waiting for this customer"), []
    offer_id, case_id, slots = found
    if await complaints.still_open(conn, customer_id):
        return error(409, "complaint_open", "no visit is arranged while a complaint is open"), []
    case = await cases.case(conn, case_id)
    if case is None or chosen.slot > len(slots):
        return error(409, "offer_not_available", "the case behind this offer is closed or the slot is unknown"), []
    if not _waiting_for_visit_confirmation(ctx, case):
        return error(409, "offer_not_available", "the case has moved on since this offer"), []
    start, end = slots[chosen.slot - 1]
    if start <= now:
        return error(409, "slot_passed", "this time has already begun; ask for new times"), []
    await visits.confirm(conn, offer_id, start, end)
    address, time_zone, _, _ = await people.loan_address(conn, case.loan_id)
    data = contract.VisitRequested(
        visit_request_id=f"visit-{offer_id}", case_id=case.case_id, loan_id=case.loan_id, customer_id=customer_id,
        address=Address.model_validate(address), time_zone=time_zone, window_start=start, window_end=end,
        confirmed_at=now, overdue_amount=case.overdue_amount, currency=case.currency,
    )
    # the ladder stays on the visit step: dispatch's report of the visit moves it (outcomes.visit_result);
    # if dispatch says nothing by then (a no-show is re-planned for the next day), the step counts as not done
    await cases.await_visit(conn, case.case_id, data.visit_request_id, end + VISIT_REPORT_WAIT)
    after.append(lambda: metrics.VISITS_REQUESTED.labels(case.variant).inc())
    message = outreach_message(data, topic=ctx.topic, key=case.customer_id, time=now, cause=offer_id)
    body = {"visit_request_id": data.visit_request_id, "window_start": start.isoformat(),
            "window_end": end.isoformat()}
    return web.json_response(body, status=201), [message]


async def _known(conn: asyncpg.Connection, customer_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = $1)", customer_id)
