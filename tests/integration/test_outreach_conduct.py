"""Outreach's conduct under any ordering, on the real broker and database: a loan paid up or in dispute stops at
once, an agreement holds a case opened after it, the sender judges every message again right before the gateway,
and the latest contact details win whatever order they are read in.

Every borrower lives in Asia/Shanghai; times below are their wall clock.
"""
from datetime import timedelta

import pytest

from tests.helpers.outreach import OVERDUE_DAY, POLICY_VERSION, at, champion_case_id, running_outreach
from tests.helpers.waiting import eventually
from tests.service.outreach.events import (
    became_overdue,
    contact_updated,
    cured,
    dispute_opened,
    dispute_resolved,
    originated,
    paid_up,
    signed,
)

DAY = OVERDUE_DAY + timedelta(days=1)


@pytest.fixture
async def outreach(stack):
    async with running_outreach(stack) as service:
        yield service


async def queued_reminder(outreach, label: str) -> tuple[str, dict]:
    """A case whose SMS reminder the gateway answered 503 at 10:00: pending, to be tried again."""
    case_id = champion_case_id(label)
    await outreach.overdue_case("L1", "C1", case_id)
    outreach.gateway.status = 503
    await outreach.tick(at(DAY, 10))
    [attempt] = await outreach.wait_attempts("C1", 1)
    await eventually(lambda: outreach.query("SELECT 1 FROM contact_attempts WHERE dispatch_tries = 1"),
                     what="the first try answered 503")
    return case_id, attempt


async def stopped(outreach, attempt_id: str, rule_id: str) -> dict:
    """The attempt was cancelled, and its final decision announced."""
    await outreach.wait_dispatched(attempt_id, "cancelled")
    [block] = await outreach.wait_emitted("outreach.contact_blocked", rule_id=rule_id)
    [decision] = await outreach.query("SELECT * FROM contact_decisions WHERE attempt_id = $1", attempt_id)
    assert (decision["rule_id"], decision["policy_version"], block["data"]["decision_id"]) == (
        rule_id, POLICY_VERSION, decision["decision_id"])
    return block


async def test_a_paid_up_loan_stops_at_once_and_its_case_waits_for_the_day_to_end(outreach):
    case_id, attempt = await queued_reminder(outreach, "paid-up")
    await outreach.send_delinquency(paid_up("L1", "C1", case_id, "P1", at(DAY, 10, 20)))
    block = await stopped(outreach, attempt["attempt_id"], "loan.paid_up")
    assert block["data"]["case_id"] == case_id and block["subject"] == "C1"
    outreach.gateway.status = 200
    for minutes in (5, 30, 60):  # the retry comes due, and later ticks: nothing is sent about the loan
        await outreach.tick(at(DAY, 10) + timedelta(minutes=minutes))
    await outreach.tick(at(DAY + timedelta(days=1), 10))
    assert len(outreach.gateway.requests) == 1 and len(await outreach.attempts("C1")) == 1
    assert (await outreach.case(case_id))["waiting_for"] == "paid_up"
    await outreach.send_delinquency(cured("L1", "C1", case_id, DAY))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1 AND status = 'closed'",
                                            case_id), what="the day's end closed the case")


async def test_a_dispute_pauses_the_loan_until_it_is_resolved(outreach):
    case_id, attempt = await queued_reminder(outreach, "dispute")
    await outreach.send_delinquency(dispute_opened("L1", "C1", case_id, "D1", at(DAY, 10, 10)))
    await stopped(outreach, attempt["attempt_id"], "dispute.open")
    outreach.gateway.status = 200
    await outreach.tick(at(DAY + timedelta(days=1), 10))
    assert len(await outreach.attempts("C1")) == 1
    await outreach.send_delinquency(dispute_resolved("L1", "C1", case_id, "D1", at(DAY + timedelta(days=1), 11)))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1 AND waiting_for IS NULL",
                                            case_id), what="the case let go")
    await outreach.tick(at(DAY + timedelta(days=1), 11, 30))
    [_, again] = await outreach.wait_attempts("C1", 2)
    await outreach.wait_dispatched(again["attempt_id"])


async def test_the_sender_judges_a_message_again_right_before_the_gateway(outreach):
    case_id, attempt = await queued_reminder(outreach, "last-check")
    status, _ = await outreach.post("/customers/C1/preferences", {"stop_contact": True}, token="t-portal")
    assert status == 200
    outreach.gateway.status = 200
    await outreach.tick(at(DAY, 10, 5))  # the retry comes due: the stop request is heard at the hand-off
    await stopped(outreach, attempt["attempt_id"], "preference.stop_contact")
    assert len(outreach.gateway.requests) == 1  # only the first try, before the request
    assert (await outreach.case(case_id))["waiting_for"] == "preference"
    status, history = await outreach.get("/customers/C1/contact-history", token="t-portal")
    assert status == 200
    assert [(c["kind"], c["status"], c["sent_at"]) for c in history["contacts"]] == [
        ("blocked", "blocked", None), ("attempt", "cancelled", None)]
    assert history["contacts"][0]["attempt_id"] == attempt["attempt_id"]


async def test_a_case_opened_after_an_agreement_was_signed_is_held_and_the_block_recorded(outreach):
    await outreach.borrower("L1", "C1")
    await outreach.produce("agreement_events_topic", [signed("agr-1", "L1", "C1", None, at(DAY, 9))])
    await eventually(lambda: outreach.query("SELECT 1 FROM agreements WHERE agreement_id = 'agr-1'"),
                     what="the agreement heard")
    case_id = champion_case_id("after-signing")
    await outreach.send_delinquency(became_overdue("L1", "C1", case_id))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case opened")
    await outreach.tick(at(DAY, 10))
    [block] = await outreach.wait_emitted("outreach.contact_blocked", rule_id="agreement.in_force")
    assert block["data"]["case_id"] == case_id and block["data"]["policy_version"] == POLICY_VERSION
    assert await outreach.attempts("C1") == []
    assert (await outreach.case(case_id))["waiting_for"] == "agreement"


async def test_the_latest_phone_is_called_whatever_order_the_details_arrive_in(outreach):
    # the update (keyed by customer) is read before the loan's origination (keyed by loan), though written after
    when = at(DAY - timedelta(days=30), 9)
    await outreach.produce("loan_events_topic", [contact_updated("C1", when + timedelta(days=3),
                                                                 phones=["13700000001"])])
    await eventually(lambda: outreach.query("SELECT 1 FROM customers WHERE customer_id = 'C1'"), what="update read")
    await outreach.produce("loan_events_topic", [originated("L1", "C1", when, phones=["13800000000"])])
    await eventually(lambda: outreach.query("SELECT 1 FROM customer_loans WHERE loan_id = 'L1'"), what="loan known")
    case_id = champion_case_id("latest-phone")
    await outreach.send_delinquency(became_overdue("L1", "C1", case_id))
    await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case opened")
    await outreach.tick(at(DAY, 10))
    [attempt] = await outreach.wait_attempts("C1", 1)
    assert attempt["destination"] == "13700000001"
    await outreach.wait_dispatched(attempt["attempt_id"])
    assert outreach.gateway.requests[-1]["body"]["destination"] == "13700000001"
