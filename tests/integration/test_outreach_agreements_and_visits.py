"""Outreach following agreement tracking and dispatch, on the real broker and database: a signed
agreement stops all contact on the case (a resolved complaint or an old offer must not lift that),
a broken one starts collection again; what happened at the door decides what comes next."""
import json
from datetime import timedelta

import pytest

from shared.events.agreement import AgreementBroken, AgreementSigned
from shared.events.codec import encode
from shared.events.dispatch import VisitCompleted, VisitScheduled
from tests.helpers.outreach import OVERDUE_DAY, at, became_overdue, champion_case_id, running_outreach
from tests.helpers.waiting import eventually

DAY = OVERDUE_DAY + timedelta(days=1)
SIGNED_TEXT_HASH = "ab" * 32


@pytest.fixture
async def outreach(stack):
    async with running_outreach(stack) as service:
        yield service


def agreement_event(data, when) -> tuple[str, bytes]:
    _, value = encode(data, source="tests/agreement", time=when, subject=data.loan_id)
    return data.loan_id, value


def signed(agreement_id: str, case_id: str, when) -> tuple[str, bytes]:
    return agreement_event(AgreementSigned(agreement_id=agreement_id, case_id=case_id, loan_id="L1",
                                           customer_id="C1", signed_at=when, method="e_signature",
                                           text_hash=SIGNED_TEXT_HASH), when)


def broken(agreement_id: str, case_id: str, when) -> tuple[str, bytes]:
    return agreement_event(AgreementBroken(agreement_id=agreement_id, case_id=case_id, loan_id="L1",
                                           customer_id="C1", missed_instalments=2, unpaid=40_000), when)


async def case_row(outreach, case_id: str):
    return (await outreach.query("SELECT * FROM cases WHERE case_id = $1", case_id))[0]


async def test_a_signed_agreement_stops_contact_until_it_is_broken_even_across_a_complaint(outreach):
    case_id = champion_case_id("agreement")
    await outreach.overdue_case("L1", "C1", case_id)
    outreach.gateway.status = 503  # the reminder stays pending, to be retried: signing must cancel it
    await outreach.tick(at(DAY, 10))
    [first] = await outreach.wait_attempts("C1", 1)

    await outreach.produce("agreement_events_topic", [signed("agr-1", case_id, at(DAY, 11))])
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1 AND agreement_id = 'agr-1'",
                                            case_id), what="the case held for the agreement")
    [cancelled] = await outreach.attempts("C1")
    assert cancelled["attempt_id"] == first["attempt_id"] and cancelled["dispatch_status"] == "cancelled"

    # a complaint opened and resolved meanwhile resumes what it paused, not what the agreement holds
    status, body = await outreach.post("/complaints", {"customer_id": "C1", "category": "conduct",
                                                       "description": "called too often"}, token="t-portal")
    assert status == 201
    status, _ = await outreach.post(f"/complaints/{body['complaint_id']}/resolve", {"resolution": "upheld"},
                                    token="t-sup")
    assert status == 200
    outreach.gateway.status = 200
    for days in (1, 5, 20):
        await outreach.tick(at(DAY + timedelta(days=days), 10, 30))
    assert len(await outreach.attempts("C1")) == 1, "contacted while an agreement was in force"

    await outreach.produce("agreement_events_topic", [broken("agr-1", case_id, at(DAY + timedelta(days=21), 9))])
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1 AND agreement_id IS NULL",
                                            case_id), what="the broken agreement released the case")
    row = await case_row(outreach, case_id)
    assert (row["broken_promises"], row["step_index"]) == (1, 0)
    await outreach.tick(at(DAY + timedelta(days=21), 10, 30))
    attempts = await outreach.wait_attempts("C1", 2)
    assert attempts[-1]["decided_at"] == at(DAY + timedelta(days=21), 10, 30)

    # the same broken event again (a redelivery) changes nothing
    await outreach.produce("agreement_events_topic", [broken("agr-1", case_id, at(DAY + timedelta(days=21), 9))])
    await outreach.tick(at(DAY + timedelta(days=21), 11))
    assert (await case_row(outreach, case_id))["broken_promises"] == 1


async def offer_visit(outreach, label: str) -> tuple[str, dict]:
    """A case put on the visit step of `early` (by SQL); a tick sends the visit-time offer."""
    await outreach.borrower("L1", "C1")
    await outreach.tick(at(DAY, 9))
    case_id = champion_case_id(label)
    await outreach.send_delinquency(became_overdue("L1", "C1", case_id))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case opened")
    await outreach.execute("UPDATE cases SET variant = 'champion', ladder = 'early', step_index = 2,"
                           " step_attempts = 0 WHERE case_id = $1", case_id)
    await outreach.tick(at(DAY, 10))
    [sms] = await outreach.wait_attempts("C1", 1)
    await outreach.wait_dispatched(sms["attempt_id"])
    return case_id, sms


async def test_an_offer_cannot_be_confirmed_once_an_agreement_is_signed(outreach):
    case_id, _ = await offer_visit(outreach, "offer-then-agreement")
    await outreach.produce("agreement_events_topic", [signed("agr-2", case_id, at(DAY, 11))])
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE agreement_id = 'agr-2'"), what="held")
    status, body = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    assert status == 404 and body["error"] == "no_open_offer"
    await outreach.all_published()
    assert await outreach.emitted("outreach.visit_requested") == []


async def report(outreach, data, when) -> None:
    _, value = encode(data, source="tests/dispatch", time=when, subject="C1")
    await outreach.produce("dispatch_events_topic", [("C1", value)])
    await eventually(lambda: outreach.query("SELECT 1 FROM inbox WHERE event_id = $1",
                                            json.loads(value)["id"]), what="report taken")


def completed(visit_id: str, case_id: str, outcome: str, when) -> VisitCompleted:
    return VisitCompleted(visit_id=visit_id, case_id=case_id, loan_id="L1", customer_id="C1", collector_id="col-1",
                          outcome=outcome, terms=None, evidence=["rec-1"], completed_at=when)


async def test_only_the_report_on_the_visit_the_case_waits_for_moves_it(outreach):
    case_id, _ = await offer_visit(outreach, "awaited-visit")
    status, confirmed = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    assert status == 201
    when = at(DAY + timedelta(days=1), 15)
    await report(outreach, completed("visit-from-an-earlier-offer", case_id, "met_borrower", when), when)
    row = await case_row(outreach, case_id)
    assert (row["waiting_for"], row["step_index"]) == ("visit", 2), "moved by a report on another visit"

    visit_id = f"visit-of-{confirmed['visit_request_id']}"
    await report(outreach, VisitScheduled(visit_id=visit_id, case_id=case_id, loan_id="L1", customer_id="C1",
                                          visit_request_id=confirmed["visit_request_id"],
                                          window_start=confirmed["window_start"],
                                          window_end=confirmed["window_end"]), when)
    await report(outreach, completed(visit_id, case_id, "met_borrower", when), when)
    row = await case_row(outreach, case_id)
    assert row["waiting_for"] != "visit" and row["step_index"] == 3, "the awaited visit's report did not count"


@pytest.mark.parametrize("outcome", ["safety_incident", "conflict"])
async def test_after_a_safety_incident_or_conflict_at_the_door_no_rule_sends_anyone_back(outreach, outcome):
    case_id, _ = await offer_visit(outreach, f"door-{outcome}")
    status, confirmed = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    assert status == 201
    when = at(DAY + timedelta(days=1), 15)
    await report(outreach, VisitScheduled(visit_id="visit-1", case_id=case_id, loan_id="L1", customer_id="C1",
                                          visit_request_id=confirmed["visit_request_id"],
                                          window_start=confirmed["window_start"],
                                          window_end=confirmed["window_end"]), when)
    await report(outreach, completed("visit-1", case_id, outcome, when), when)
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1 AND waiting_for = 'person'",
                                            case_id), what="the case waits for a person")
    for days in (2, 5, 10):
        await outreach.tick(at(DAY + timedelta(days=days), 10, 30))
    assert len(await outreach.attempts("C1")) == 1, "contacted again by a rule after an incident at the door"
    assert (await case_row(outreach, case_id))["next_action_at"] is None
