"""Outreach's HTTP API on the real stack: outcome callbacks, promises kept by payments, the contact
history a borrower may read, and visit-time confirmation.

Every borrower lives in Asia/Shanghai; times below are their wall clock.
"""
import json
from datetime import datetime, time, timedelta

import pytest

from tests.helpers.loan_events import SHANGHAI, payment
from tests.helpers.outreach import OVERDUE_DAY, POLICY_VERSION, at, became_overdue, champion_case_id, running_outreach
from tests.helpers.waiting import eventually

DAY = OVERDUE_DAY + timedelta(days=1)
NEXT = DAY + timedelta(days=1)


@pytest.fixture
async def outreach(stack):
    async with running_outreach(stack) as service:
        yield service


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def first_reminder(outreach, loan_id: str, customer_id: str, label: str, when: datetime):
    """A case opened and its SMS reminder sent at `when`; returns (case id, attempt row)."""
    case_id = champion_case_id(label)
    await outreach.overdue_case(loan_id, customer_id, case_id)
    await outreach.tick(when)
    [attempt] = await outreach.wait_attempts(customer_id, 1)
    await outreach.wait_dispatched(attempt["attempt_id"])
    return case_id, attempt


async def test_outcome_callbacks_are_authenticated_validated_and_idempotent(outreach):
    _, sms = await first_reminder(outreach, "L1", "C1", "outcome", at(DAY, 10))
    path = f"/contact-attempts/{sms['attempt_id']}/outcome"

    assert (await outreach.post(path, {"outcome": "delivered"}))[0] == 401
    assert (await outreach.post(path, {"outcome": "delivered"}, token="nope"))[0] == 401
    assert (await outreach.post(path, {"outcome": "delivered"}, token="t-other"))[0] == 403
    assert (await outreach.post(path, {"outcome": "delivered"}, token="t-portal"))[0] == 403

    status, body = await outreach.post(path, {"outcome": "maybe"}, token="t-dialer")
    assert status == 400 and [p["field"] for p in body["problems"]] == ["outcome"]
    status, body = await outreach.post(path, {"outcome": "delivered", "colour": "red"}, token="t-dialer")
    assert status == 400 and [p["field"] for p in body["problems"]] == ["colour"]
    status, body = await outreach.post(path, {"outcome": "promise_to_pay", "promise": {"amount": -5,
                                                                                      "due_date": "2026-02-10"}},
                                       token="t-dialer")
    assert status == 400 and [p["field"] for p in body["problems"]] == ["promise.amount"]
    assert (await outreach.http("POST", path, "t-dialer", raw=b"{not json"))[0] == 400
    assert await outreach.emitted("outreach.contact_outcome_recorded") == []  # nothing was recorded by those

    status, body = await outreach.post(path, {"outcome": "delivered"}, token="t-dialer")
    assert status == 200 and body == {"attempt_id": sms["attempt_id"], "outcome": "delivered"}
    status, body = await outreach.post(path, {"outcome": "delivered"}, token="t-dialer")  # the callback retried
    assert status == 200 and body == {"attempt_id": sms["attempt_id"], "outcome": "delivered"}
    status, body = await outreach.post(path, {"outcome": "failed"}, token="t-sup")
    assert status == 409 and body["error"] == "outcome_conflict" and body["recorded"] == "delivered"
    status, body = await outreach.post("/contact-attempts/no-such-attempt/outcome", {"outcome": "delivered"},
                                       token="t-dialer")
    assert status == 404 and body["error"] == "attempt_not_found"

    await outreach.all_published()
    [recorded] = await outreach.emitted("outreach.contact_outcome_recorded")
    assert (recorded["data"]["attempt_id"], recorded["data"]["outcome"], recorded["data"]["channel"]) == (
        sms["attempt_id"], "delivered", "sms")
    assert instant(recorded["data"]["recorded_at"]) == at(DAY, 10)  # service time, not the wall clock
    [row] = await outreach.attempts("C1")
    assert row["outcome"] == "delivered"


async def test_a_promise_to_pay_is_kept_once_payments_cover_it(outreach):
    case_id, sms = await first_reminder(outreach, "L1", "C1", "promise", at(DAY, 10))
    assert (await outreach.post(f"/contact-attempts/{sms['attempt_id']}/outcome", {"outcome": "delivered"},
                                token="t-dialer"))[0] == 200
    await outreach.tick(at(NEXT, 10, 5))  # the early ladder calls a day after the reminder
    [_, call] = await outreach.wait_attempts("C1", 2)
    assert call["channel"] == "call" and call["purpose"] == "collection"
    await outreach.wait_dispatched(call["attempt_id"])
    assert outreach.gateway.requests[-1]["path"] == "/calls"

    due = DAY + timedelta(days=4)
    status, _ = await outreach.post(f"/contact-attempts/{call['attempt_id']}/outcome",
                                    {"outcome": "promise_to_pay", "promise": {"amount": 60_000,
                                                                              "due_date": due.isoformat()}},
                                    token="t-dialer")
    assert status == 200
    [made] = await outreach.wait_emitted("outreach.promise_made")
    promise_id = made["data"]["promise_id"]
    assert {k: made["data"][k] for k in ("customer_id", "case_id", "loan_id", "amount", "currency", "due_date")} == {
        "customer_id": "C1", "case_id": case_id, "loan_id": "L1", "amount": 60_000, "currency": "CNY",
        "due_date": due.isoformat()}

    await outreach.send_loan_events(payment("P1", "L1", 30_000, at(NEXT, 12)))
    await outreach.tick(at(NEXT, 13))  # half paid: still open
    [promise] = await outreach.query("SELECT status FROM promises WHERE promise_id = $1", promise_id)
    assert promise["status"] == "open"
    await outreach.send_loan_events(payment("P2", "L1", 30_000, at(NEXT, 15)))
    await outreach.tick(at(NEXT, 16))

    [kept] = await outreach.wait_emitted("outreach.promise_kept")
    assert kept["data"]["promise_id"] == promise_id and kept["data"]["kept_on"] == NEXT.isoformat()
    assert kept["data"]["amount"] == 60_000 and kept["data"]["case_id"] == case_id
    [promise] = await outreach.query("SELECT status, paid_amount FROM promises WHERE promise_id = $1", promise_id)
    assert (promise["status"], promise["paid_amount"]) == ("kept", 60_000)
    await outreach.all_published()
    assert await outreach.emitted("outreach.promise_broken") == []


async def test_the_contact_history_shows_what_was_sent_and_what_was_blocked(outreach):
    case_id = champion_case_id("history")
    await outreach.overdue_case("L1", "C1", case_id)
    await outreach.tick(at(DAY, 7))  # before contact hours: blocked
    await outreach.tick(at(DAY, 8, 30))
    [sms] = await outreach.wait_attempts("C1", 1)
    await outreach.wait_dispatched(sms["attempt_id"])
    await outreach.overdue_case("L2", "C2", champion_case_id("history-other"))

    assert (await outreach.get("/customers/C1/contact-history"))[0] == 401
    assert (await outreach.get("/customers/C1/contact-history", token="t-dialer"))[0] == 403
    status, body = await outreach.get("/customers/C1/contact-history", token="t-portal")
    assert status == 200 and body["customer_id"] == "C1"
    attempted, blocked = body["contacts"]  # newest first
    assert (attempted["kind"], attempted["id"], attempted["channel"], attempted["status"]) == (
        "attempt", sms["attempt_id"], "sms", "sent")
    assert instant(attempted["at"]) == at(DAY, 8, 30) and attempted["policy_version"] == POLICY_VERSION
    # when it was decided, and when the sender handed it to the gateway (service time; the same tick here)
    assert instant(attempted["decided_at"]) == at(DAY, 8, 30) and instant(attempted["sent_at"]) == at(DAY, 8, 30)
    assert (blocked["kind"], blocked["channel"], blocked["rule_id"], blocked["status"]) == (
        "blocked", "sms", "hours.window", "blocked")
    assert instant(blocked["at"]) == at(DAY, 7) and blocked["sent_at"] is None and blocked["attempt_id"] is None
    status, other = await outreach.get("/customers/C2/contact-history", token="t-sup")
    assert status == 200 and other["contacts"] == []


async def offer_visit(outreach, loan_id: str, customer_id: str, label: str, ladder: str, step_index: int):
    """A case put on a visit step (by SQL), then a tick at 10:00: the visit-time offer goes out by SMS."""
    await outreach.borrower(loan_id, customer_id)
    await outreach.tick(at(DAY, 9))
    case_id = champion_case_id(label)
    await outreach.send_delinquency(became_overdue(loan_id, customer_id, case_id))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case opened")
    await outreach.execute("UPDATE cases SET variant = 'champion', ladder = $2, step_index = $3, step_attempts = 0"
                           " WHERE case_id = $1", case_id, ladder, step_index)
    await outreach.tick(at(DAY, 10))
    [attempt] = await outreach.wait_attempts(customer_id, 1)
    await outreach.wait_dispatched(attempt["attempt_id"])
    return case_id, attempt


async def test_a_visit_is_requested_only_for_the_slot_the_borrower_confirmed(outreach):
    case_id, sms = await offer_visit(outreach, "L1", "C1", "visit", "early", 2)
    assert (sms["channel"], sms["purpose"], sms["template_id"]) == ("sms", "visit_confirmation",
                                                                    "sms.visit_confirmation.zh")
    [offer] = await outreach.query("SELECT * FROM visit_offers WHERE case_id = $1", case_id)
    slots = [(instant(s), instant(e)) for s, e in json.loads(offer["slots"])]
    assert offer["status"] == "offered" and len(slots) == 3
    text = outreach.gateway.requests[-1]["body"]["text"]
    second = slots[1][0].astimezone(SHANGHAI)
    assert f"2) {second:%m-%d %H:%M}-" in text

    assert (await outreach.post("/customers/C1/visit-confirmation", {"slot": 2}))[0] == 401
    assert (await outreach.post("/customers/C1/visit-confirmation", {"slot": 2}, token="t-other"))[0] == 403
    status, body = await outreach.post("/customers/C1/visit-confirmation", {"slot": 4}, token="t-portal")
    assert status == 400 and [p["field"] for p in body["problems"]] == ["slot"]
    status, body = await outreach.post("/customers/C1/visit-confirmation", {"slot": 2}, token="t-portal")
    assert status == 201 and (instant(body["window_start"]), instant(body["window_end"])) == slots[1]

    [requested] = await outreach.wait_emitted("outreach.visit_requested")
    data = requested["data"]
    start, end = instant(data["window_start"]), instant(data["window_end"])
    assert (start, end) == slots[1]
    local_start, local_end = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    assert local_start.date() == local_end.date() > DAY
    assert time(8) <= local_start.time() < local_end.time() <= time(21)
    assert (data["case_id"], data["customer_id"], data["loan_id"], data["time_zone"]) == (
        case_id, "C1", "L1", "Asia/Shanghai")
    assert data["address"]["line"] == "1 Test Road" and instant(data["confirmed_at"]) == at(DAY, 10)
    [offer] = await outreach.query("SELECT status FROM visit_offers WHERE case_id = $1", case_id)
    assert offer["status"] == "confirmed"

    status, body = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    assert status == 404 and body["error"] == "no_open_offer"
    await outreach.all_published()
    assert len(await outreach.emitted("outreach.visit_requested")) == 1


async def test_a_late_delivery_receipt_does_not_undo_a_confirmed_visit(outreach):
    # legal-threshold: call, visit, then a referral to legal services 14 days after the visit step.
    case_id, sms = await offer_visit(outreach, "L1", "C1", "late-receipt", "legal-threshold", 1)
    status, _ = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    assert status == 201
    # the gateway's delivery receipt for the offer arrives after the borrower already answered it
    status, _ = await outreach.post(f"/contact-attempts/{sms['attempt_id']}/outcome", {"outcome": "delivered"},
                                    token="t-dialer")
    assert status == 200
    for days, hour in ((1, 10), (1, 14), (1, 18), (2, 10), (3, 10)):
        await outreach.tick(at(DAY + timedelta(days=days), hour, 30))
    await outreach.all_published()
    referrals = await outreach.emitted("outreach.legal_referral_made")
    case = await outreach.case(case_id)
    assert referrals == [], (f"referred to legal services at {[r['time'] for r in referrals]}, within 3 days"
                             f" of the visit request instead of 14 days after it;"
                             f" case waiting_for={case['waiting_for']!r}")
    assert case["waiting_for"] == "visit"  # still waiting for dispatch to report on the confirmed visit
    # no report from dispatch here: two days after the window the visit counts as not made, and the visit step
    # (three attempts) offers the borrower new times
    await outreach.tick(at(DAY + timedelta(days=6), 10, 30))  # the wait is over: one failed try
    await outreach.tick(at(DAY + timedelta(days=7), 10, 30))  # the step is tried again
    attempts = await outreach.wait_attempts("C1", 2)
    assert attempts[-1]["purpose"] == "visit_confirmation"
    offers = await outreach.query("SELECT status FROM visit_offers WHERE case_id = $1 ORDER BY offered_at", case_id)
    assert [o["status"] for o in offers] == ["confirmed", "offered"]


async def test_no_visit_is_requested_while_a_complaint_is_open(outreach):
    _, sms = await offer_visit(outreach, "L1", "C1", "visit-complaint", "early", 2)
    status, _ = await outreach.post("/complaints", {"customer_id": "C1", "category": "conduct",
                                                    "description": "I do not want anyone at my door"},
                                    token="t-portal")
    assert status == 201
    status, body = await outreach.post("/customers/C1/visit-confirmation", {"slot": 1}, token="t-portal")
    await outreach.all_published()
    requested = await outreach.emitted("outreach.visit_requested")
    assert requested == [], f"a field visit was requested during an open complaint (HTTP {status} {body})"


async def test_preferences_are_announced_on_the_topic_for_dispatch(outreach):
    await outreach.borrower("L1", "C1")
    await outreach.tick(at(DAY, 9))
    path = "/customers/C1/preferences"
    for wrong in ({"start": "18:30:15", "end": "20:00"}, {"start": "18:30+08:00", "end": "20:00"},
                  {"start": "20:00", "end": "18:30"}):
        status, body = await outreach.post(path, {"preferred_hours": wrong}, token="t-portal")
        assert status == 400 and [p["field"] for p in body["problems"]] == ["preferred_hours"], (wrong, body)

    status, body = await outreach.post(path, {"preferred_channel": "visit",
                                              "preferred_hours": {"start": "18:30", "end": "20:00"}},
                                       token="t-portal")
    assert status == 200 and instant(body["changed_at"]) == at(DAY, 9)
    status, body = await outreach.post(path, {"stop_contact": True}, token="t-sup")
    assert status == 200 and instant(body["changed_at"]) > at(DAY, 9)  # the same tick: made later

    first, second = await outreach.wait_emitted("outreach.contact_preferences_changed", 2)
    assert first["subject"] == "C1" and first["data"] == {
        "customer_id": "C1", "stop_contact": False, "preferred_channel": "visit", "preferred_hours_start": "18:30",
        "preferred_hours_end": "20:00", "changed_at": first["data"]["changed_at"]}
    assert instant(first["data"]["changed_at"]) == at(DAY, 9) == instant(first["time"])
    assert second["data"]["stop_contact"] is True and second["data"]["preferred_hours_start"] is None
    assert instant(second["data"]["changed_at"]) == instant(body["changed_at"])
