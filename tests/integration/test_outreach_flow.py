"""Outreach end to end on the real broker and database: delinquency in, rule-book decisions on the
clock, contacts out through the webhook provider to a local gateway, and the borrower's rights.

Every borrower lives in Asia/Shanghai; times below are their wall clock.
"""
from datetime import datetime, timedelta

import pytest

from tests.helpers.kafka import header, read_topic
from tests.helpers.outreach import (
    OVERDUE_DAY,
    POLICY_VERSION,
    at,
    became_overdue,
    champion_case_id,
    running_outreach,
    tick,
)
from tests.helpers.waiting import eventually

DAY = OVERDUE_DAY + timedelta(days=1)  # the first day outreach can act on the case
PHONE = "13800000000"  # the borrower's number in tests.helpers.loan_events.originated


@pytest.fixture
async def outreach(stack):
    async with running_outreach(stack) as service:
        yield service


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_an_overdue_case_gets_one_sms_reminder_inside_contact_hours(outreach):
    case_id = champion_case_id("sms")
    await outreach.overdue_case("L1", "C1", case_id)
    await outreach.tick(at(DAY, 10))

    [attempt] = await outreach.wait_attempts("C1", 1)
    assert (attempt["case_id"], attempt["channel"], attempt["recipient"], attempt["purpose"]) == (
        case_id, "sms", "borrower", "reminder")
    assert attempt["destination"] == PHONE and attempt["policy_version"] == POLICY_VERSION
    assert attempt["decided_at"] == at(DAY, 10)

    [event] = await outreach.wait_emitted("outreach.contact_attempted")
    data = event["data"]
    assert data["attempt_id"] == attempt["attempt_id"] and data["case_id"] == case_id
    assert (data["rule_id"], data["policy_version"]) == ("allowed", POLICY_VERSION)
    assert (data["channel"], data["recipient"], data["customer_id"]) == ("sms", "borrower", "C1")
    assert data["strategy_variant"] == "champion" and instant(data["decided_at"]) == at(DAY, 10)
    assert event["subject"] == "C1"

    await outreach.wait_dispatched(attempt["attempt_id"])
    [request] = outreach.gateway.requests
    assert request["key"] == attempt["attempt_id"] and request["path"] == "/sms"
    assert request["body"]["destination"] == PHONE and request["body"]["attempt_id"] == attempt["attempt_id"]
    assert "Test Borrower" in request["body"]["text"] and "CNY 600.00" in request["body"]["text"]
    [decision] = await outreach.decisions("C1")
    assert (decision["allowed"], decision["rule_id"], decision["policy_version"]) == (True, "allowed", POLICY_VERSION)


async def test_the_reminder_names_the_date_the_instalment_fell_due(outreach):
    # The first instalment fell due on 2026-02-05: on business date 02-06 the loan is 1 day past due.
    case_id = champion_case_id("due-date")
    await outreach.overdue_case("L1", "C1", case_id)
    await outreach.tick(at(DAY, 10))  # 02-07, the morning after that business date closed
    [attempt] = await outreach.wait_attempts("C1", 1)
    await outreach.wait_dispatched(attempt["attempt_id"])
    text = outreach.gateway.requests[0]["body"]["text"]
    assert "2026-02-05" in text, f"the borrower is told the wrong due date: {text}"


async def test_outside_contact_hours_the_reminder_waits_for_the_next_window(outreach):
    case_id = champion_case_id("hours")
    await outreach.overdue_case("L1", "C1", case_id)

    await outreach.tick(at(DAY, 22, 30))
    [blocked] = await outreach.wait_emitted("outreach.contact_blocked")
    assert await outreach.attempts("C1") == []
    [decision] = await outreach.decisions("C1")
    assert (decision["allowed"], decision["rule_id"], decision["channel"]) == (False, "hours.window", "sms")
    assert decision["retry_at"] == at(DAY + timedelta(days=1), 8) and decision["policy_version"] == POLICY_VERSION
    data = blocked["data"]
    assert (data["rule_id"], data["decision_id"], data["case_id"]) == ("hours.window", decision["decision_id"], case_id)
    assert instant(data["retry_at"]) == at(DAY + timedelta(days=1), 8)
    assert data["policy_version"] == POLICY_VERSION

    await outreach.tick(at(DAY + timedelta(days=1), 7, 30))  # still before the window opens: not due
    assert await outreach.attempts("C1") == [] and len(await outreach.decisions("C1")) == 1

    await outreach.tick(at(DAY + timedelta(days=1), 8, 5))
    [attempt] = await outreach.wait_attempts("C1", 1)
    assert attempt["decided_at"] == at(DAY + timedelta(days=1), 8, 5) and attempt["channel"] == "sms"
    await outreach.wait_dispatched(attempt["attempt_id"])
    assert outreach.gateway.keys() == [attempt["attempt_id"]]
    [_, allowed] = await outreach.decisions("C1")
    assert (allowed["allowed"], allowed["rule_id"]) == (True, "allowed")


async def test_duplicate_events_and_ticks_make_one_case_and_one_attempt(outreach):
    case_id = champion_case_id("dup")
    await outreach.borrower("L1", "C1")
    overdue = became_overdue("L1", "C1", case_id)
    await outreach.send_delinquency(overdue, overdue)  # one batch, twice
    await outreach.send_delinquency(overdue)  # and again later
    ten = tick(at(DAY, 10))
    await outreach.send_tick(ten)
    await outreach.send_tick(ten)  # the same tick redelivered
    await outreach.send_tick(tick(at(DAY, 10)))  # another tick for the same instant (a new event id)
    await outreach.send_delinquency(overdue, became_overdue("L1", "C1", case_id))  # replayed after the contact
    await outreach.tick(at(DAY, 10, 1))  # everything before it has been handled once this one has

    assert len(await outreach.query("SELECT 1 FROM cases")) == 1
    attempts = await outreach.attempts()
    assert len(attempts) == 1, [(a["attempt_id"], a["decided_at"]) for a in attempts]
    attempt = attempts[0]
    await outreach.wait_dispatched(attempt["attempt_id"])
    await outreach.all_published()
    assert [e["data"]["attempt_id"] for e in await outreach.emitted("outreach.contact_attempted")] == [
        attempt["attempt_id"]]
    assert outreach.gateway.keys() == [attempt["attempt_id"]]
    assert len(await outreach.decisions("C1")) == 1


async def test_a_complaint_stops_all_contact_until_it_is_resolved(outreach):
    case_a = champion_case_id("complaint-a")
    await outreach.overdue_case("LA", "CA", case_a)
    await outreach.borrower("LB", "CB")  # another borrower, not complaining
    outreach.gateway.status = 503  # the gateway is down: A's reminder stays pending, to be retried

    await outreach.tick(at(DAY, 10))
    [a1] = await outreach.wait_attempts("CA", 1)
    await eventually(lambda: outreach.query("SELECT 1 FROM contact_attempts WHERE attempt_id = $1"
                                            " AND dispatch_tries = 1 AND dispatch_status = 'pending'",
                                            a1["attempt_id"]), what="the first try failed, a retry pending")

    description = "They phoned my employer twice on Sunday"
    status, body = await outreach.post("/complaints", {"customer_id": "CA", "category": "conduct",
                                                       "description": description}, token="t-portal-CA")
    assert status == 201 and body["status"] == "open"
    complaint_id = body["complaint_id"]
    [opened] = await outreach.wait_emitted("outreach.complaint_opened")
    assert opened["data"] == {"complaint_id": complaint_id, "customer_id": "CA", "category": "conduct",
                              "opened_at": opened["data"]["opened_at"]}
    assert all(b"employer" not in record.value for record in await outreach.raw_emitted())
    [cancelled] = await outreach.attempts("CA")
    assert cancelled["dispatch_status"] == "cancelled"

    outreach.gateway.status = 200
    case_b = champion_case_id("complaint-b")
    await outreach.send_delinquency(became_overdue("LB", "CB", case_b))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_b), what="B's case")
    await outreach.tick(at(DAY, 10, 10))  # A's retry would be due now; B's first reminder is
    [b1] = await outreach.wait_attempts("CB", 1)
    await outreach.wait_dispatched(b1["attempt_id"])  # the sender has run at 10:10 service time
    assert outreach.gateway.keys() == [a1["attempt_id"], b1["attempt_id"]]  # A's message was never resent

    await outreach.tick(at(DAY + timedelta(days=1), 10, 30))
    assert [a["attempt_id"] for a in await outreach.attempts("CA")] == [a1["attempt_id"]]
    # the first, allowed, decision and the complaint's final decision on that attempt: no new decision
    assert sorted((d["allowed"], d["rule_id"], d["attempt_id"] or "") for d in await outreach.decisions("CA")) == [
        (False, "complaint.open", a1["attempt_id"]), (True, "allowed", "")]  # (decided in the same tick)

    assert (await outreach.post(f"/complaints/{complaint_id}/resolve", {"resolution": "upheld"},
                                token="t-portal"))[0] == 403
    status, body = await outreach.post(f"/complaints/{complaint_id}/resolve", {"resolution": "upheld"},
                                       token="t-sup")
    assert status == 200 and body["status"] == "resolved"
    await outreach.wait_emitted("outreach.complaint_resolved", complaint_id=complaint_id, resolution="upheld")
    assert (await outreach.post(f"/complaints/{complaint_id}/resolve", {"resolution": "upheld"},
                                token="t-sup"))[0] == 404

    await outreach.tick(at(DAY + timedelta(days=1), 10, 40))
    [_, a2] = await outreach.wait_attempts("CA", 2)
    assert a2["decided_at"] == at(DAY + timedelta(days=1), 10, 40) and a2["channel"] == "sms"
    await outreach.wait_dispatched(a2["attempt_id"])
    assert outreach.gateway.keys().count(a2["attempt_id"]) == 1


async def test_a_case_opened_during_a_complaint_resumes_when_the_complaint_is_resolved(outreach):
    await outreach.borrower("L1", "C1")
    await outreach.tick(at(DAY, 9))
    status, body = await outreach.post("/complaints", {"customer_id": "C1", "category": "frequency",
                                                       "description": "too many messages"}, token="t-portal")
    assert status == 201
    case_id = champion_case_id("opened-in-complaint")
    await outreach.send_delinquency(became_overdue("L1", "C1", case_id))  # a new case while it is open
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case opened")
    await outreach.tick(at(DAY, 10))
    assert await outreach.attempts("C1") == []  # nothing while the complaint is open
    [decision] = await outreach.decisions("C1")
    assert (decision["allowed"], decision["rule_id"]) == (False, "complaint.open")

    status, _ = await outreach.post(f"/complaints/{body['complaint_id']}/resolve", {"resolution": "rejected"},
                                    token="t-sup")
    assert status == 200
    await outreach.tick(at(DAY, 10, 30))
    await outreach.tick(at(DAY + timedelta(days=1), 10))
    rows = await outreach.attempts("C1")
    case = await outreach.case(case_id)
    assert len(rows) == 1, (f"collection never resumes after the complaint: case waiting_for={case['waiting_for']!r}"
                            f" next_action_at={case['next_action_at']}")


async def test_a_stop_contact_request_blocks_the_next_step(outreach):
    case_id = champion_case_id("stop")
    await outreach.overdue_case("L1", "C1", case_id)
    await outreach.tick(at(DAY, 10))
    [sms] = await outreach.wait_attempts("C1", 1)
    await outreach.wait_dispatched(sms["attempt_id"])
    status, _ = await outreach.post(f"/contact-attempts/{sms['attempt_id']}/outcome", {"outcome": "delivered"},
                                    token="t-dialer")
    assert status == 200  # the reminder did its job: a call is next, a day later

    status, body = await outreach.post("/customers/C1/preferences", {"stop_contact": True}, token="t-portal")
    assert status == 200 and body["stop_contact"] is True
    await outreach.tick(at(DAY + timedelta(days=1), 10, 30))

    [blocked] = await outreach.wait_emitted("outreach.contact_blocked")
    assert (blocked["data"]["rule_id"], blocked["data"]["channel"]) == ("preference.stop_contact", "call")
    assert blocked["data"].get("retry_at") is None
    [_, decision] = await outreach.decisions("C1")
    assert (decision["allowed"], decision["rule_id"], decision["channel"]) == (False, "preference.stop_contact", "call")
    assert [a["attempt_id"] for a in await outreach.attempts("C1")] == [sms["attempt_id"]]
    assert outreach.gateway.keys() == [sms["attempt_id"]]


async def test_preferred_hours_that_end_before_they_start_do_not_stop_outreach(outreach):
    await outreach.overdue_case("LA", "CA", champion_case_id("hours-a"))
    await outreach.overdue_case("LB", "CB", champion_case_id("hours-b"))
    await outreach.tick(at(DAY, 7))  # the clock runs; both reminders wait for 08:00
    status, body = await outreach.post("/customers/CA/preferences",
                                       {"preferred_hours": {"start": "20:00", "end": "09:00"}}, token="t-portal-CA")

    await outreach.send_tick(tick(at(DAY, 10)))

    async def b_contacted():
        return await outreach.attempts("CB")

    try:
        await eventually(b_contacted, timeout=20, what="B's reminder after A's preference update")
    except AssertionError:
        [clock] = await outreach.query("SELECT now FROM service_clock")
        letters = await read_topic(outreach.stack.bootstrap, f"outreach.{outreach.settings.clock_topic}.dlq")
        raise AssertionError(
            f"nobody is contacted any more: preferences answered {status} {body}; the clock stays at {clock['now']};"
            f" ticks dead-lettered: {[header(r, 'dlq-detail') for r in letters]}") from None
    if status == 200:  # taken as an overnight window: A's case is decided under it, not lost
        assert await outreach.decisions("CA")
    else:
        assert status == 400 and "preferred_hours" in str(body)
