"""Outreach's handler and use cases on a real Postgres, without Kafka: what a borrower, a dialer and
the sandbox see of a case: the contact decided on the clock, its outcome, a complaint, a visit time.

The borrowers and their cases are those of `support.py`.
"""
from datetime import timedelta

import pytest

from services.outreach import sandbox
from services.outreach.borrower_rights import complain, confirm_visit, resolve_complaint
from services.outreach.channels.sender import Sender
from services.outreach.last_check import clear_to_send
from services.outreach.outcomes import record_outcome
from shared.refusal import Conflict, NotFound
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.outreach import at
from tests.helpers.service_tier import emitted
from tests.service.outreach.support import (
    CTX,
    DAY,
    EVENTS,
    InThisTransaction,
    RecordingGateway,
    case_row,
    kinds,
    only_attempt,
    overdue_case,
    tick_at,
)


async def test_outside_contact_hours_the_reminder_is_blocked_then_sent_when_the_window_opens(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "hours")
        await tick_at(tx, at(DAY, 22, 30))
        [(kind, blocked)] = emitted(tx)
        assert kind == "outreach.contact_blocked"
        assert (blocked.rule_id, blocked.channel, blocked.case_id) == ("hours.window", "sms", case_id)
        assert blocked.retry_at == at(DAY + timedelta(days=1), 8)
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == ("rule", at(DAY + timedelta(days=1), 8))

        await tick_at(tx, at(DAY + timedelta(days=1), 8, 5))
        (kind, attempted) = emitted(tx)[-1]
        assert kind == "outreach.contact_attempted" and attempted.rule_id == "allowed"
        attempt = await only_attempt(tx)
        assert attempt["attempt_id"] == attempted.attempt_id and attempt["dispatch_status"] == "pending"
        # the borrower's own reminder names the amount, the date it fell due and where to call back
        assert all(words in attempt["message"] for words in ("Test Borrower", "CNY 600.00", "2026-02-05",
                                                             "400-820-0000"))
        assert (await case_row(tx, case_id))["waiting_for"] == "outcome"


async def test_an_outcome_moves_the_case_once_and_a_different_outcome_is_refused(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "outcome")
        await tick_at(tx, at(DAY, 10))
        attempt_id = (await only_attempt(tx))["attempt_id"]

        await record_outcome(tx, CTX, attempt_id, "delivered")
        await record_outcome(tx, CTX, attempt_id, "delivered")  # the callback retried: nothing new
        assert kinds(tx) == ["outreach.contact_attempted", "outreach.contact_outcome_recorded"]
        case = await case_row(tx, case_id)
        assert (case["step_index"], case["waiting_for"], case["next_action_at"]) == (
            1, None, at(DAY + timedelta(days=1), 10))  # the call, a day after the reminder did its job

        with pytest.raises(Conflict) as conflict:
            await record_outcome(tx, CTX, attempt_id, "failed")
        assert (conflict.value.code, conflict.value.details) == ("outcome_conflict", {"recorded": "delivered"})
        with pytest.raises(NotFound) as unknown:
            await record_outcome(tx, CTX, "no-such-attempt", "delivered")
        assert unknown.value.code == "attempt_not_found"


async def test_a_complaint_cancels_what_is_queued_and_pauses_the_person_until_it_is_resolved(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "complaint")
        await tick_at(tx, at(DAY, 10))
        with pytest.raises(NotFound) as unknown:
            await complain(tx, CTX, "k-0", "C-nobody", "conduct", "who are you")
        assert unknown.value.code == "customer_not_found"

        await complain(tx, CTX, "k-1", "C1", "conduct", "They phoned my employer")
        attempt = await only_attempt(tx)
        assert attempt["dispatch_status"] == "cancelled"
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == ("complaint", None)
        (kind, opened), (stopped, final) = emitted(tx)[-2:]
        assert kind == "outreach.complaint_opened" and "employer" not in opened.model_dump_json()
        assert stopped == "outreach.contact_blocked" and (final.rule_id, final.case_id) == ("complaint.open", case_id)
        [decision] = await tx.conn.fetch("SELECT * FROM contact_decisions WHERE attempt_id = $1",
                                         attempt["attempt_id"])  # the reminder's final decision: not sent
        assert (decision["allowed"], decision["rule_id"], decision["decision_id"]) == (
            False, "complaint.open", final.decision_id)

        await tick_at(tx, at(DAY + timedelta(days=1), 10, 30))
        assert kinds(tx)[-1] == "outreach.contact_blocked"  # nothing decided, nothing sent

        await resolve_complaint(tx, CTX, "k-1", "upheld")
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == (None, at(DAY + timedelta(days=1), 10, 30))
        with pytest.raises(NotFound) as resolved:
            await resolve_complaint(tx, CTX, "k-1", "upheld")
        assert resolved.value.code == "complaint_not_found"
        await tick_at(tx, at(DAY + timedelta(days=1), 10, 40))
        assert kinds(tx)[-2:] == ["outreach.complaint_resolved", "outreach.contact_attempted"]


async def offer_visit(tx, label: str) -> tuple[str, str]:
    """A case put on the visit step of `early`; a tick at 10:00 sends the visit-time offer by SMS."""
    case_id = await overdue_case(tx, label)
    await tx.conn.execute("UPDATE cases SET ladder = 'early', step_index = 2, step_attempts = 0 WHERE case_id = $1",
                          case_id)
    await tick_at(tx, at(DAY, 10))
    attempt = await only_attempt(tx)
    assert (attempt["purpose"], attempt["template_id"]) == ("visit_confirmation", "sms.visit_confirmation.zh")
    return case_id, attempt["attempt_id"]


async def test_only_an_offered_slot_that_has_not_begun_becomes_a_visit_request(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, _ = await offer_visit(tx, "visit")
        with pytest.raises(Conflict) as unknown_slot:
            await confirm_visit(tx, CTX, "C1", 4)
        assert unknown_slot.value.code == "offer_not_available"

        requested = await confirm_visit(tx, CTX, "C1", 2)
        (kind, data) = emitted(tx)[-1]
        assert kind == "outreach.visit_requested" and data.visit_request_id == requested.visit_request_id
        assert (data.window_start, data.window_end) == (requested.window_start, requested.window_end)
        local_start = requested.window_start.astimezone(SHANGHAI)
        assert local_start.date() == DAY + timedelta(days=1) and local_start.hour == 14  # the second slot
        assert (data.address.line, data.time_zone, data.case_id) == ("1 Test Road", "Asia/Shanghai", case_id)
        assert (await case_row(tx, case_id))["waiting_for"] == "visit"

        with pytest.raises(NotFound) as answered:
            await confirm_visit(tx, CTX, "C1", 1)
        assert answered.value.code == "no_open_offer"


async def test_the_sandbox_borrower_answers_a_delivered_offer_through_the_portal_use_case(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, attempt_id = await offer_visit(tx, "sandbox")
        report = sandbox.reporter(InThisTransaction(tx), CTX)
        await report(attempt_id, "delivered")
        await report(attempt_id, "delivered")  # resent: the same outcome, the offer already answered or not
        choice = sandbox.sandbox_choice(attempt_id)
        requested = [data for kind, data in emitted(tx) if kind == "outreach.visit_requested"]
        assert kinds(tx).count("outreach.contact_outcome_recorded") == 1
        if choice is None:
            assert requested == []
            assert (await case_row(tx, case_id))["waiting_for"] == "visit_confirmation"
        else:
            [visit] = requested
            [offer] = await tx.conn.fetch("SELECT * FROM visit_offers WHERE case_id = $1", case_id)
            assert (offer["status"], offer["confirmed_start"]) == ("confirmed", visit.window_start)
            assert (await case_row(tx, case_id))["waiting_for"] == "visit"


async def test_a_message_the_gateway_rejects_is_given_up_and_counts_as_a_failed_try(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "rejected")
        await tick_at(tx, at(DAY, 10))
        unit, gateway = InThisTransaction(tx), RecordingGateway("rejected", "http 400")

        async def failed(attempt_id: str) -> None:
            await unit.run(lambda work_tx: record_outcome(work_tx, CTX, attempt_id, "failed"))

        sender = Sender(unit, gateway, on_failed=failed, last_check=lambda tx, attempt: clear_to_send(tx, CTX, attempt))
        assert await sender.send_once() == 1
        attempt = await only_attempt(tx)
        assert [m.attempt_id for m in gateway.sent] == [attempt["attempt_id"]]
        assert (attempt["dispatch_status"], attempt["dispatch_tries"], attempt["outcome"]) == ("failed", 1, "failed")
        (kind, recorded) = emitted(tx)[-1]
        assert kind == "outreach.contact_outcome_recorded" and recorded.outcome == "failed"
        case = await case_row(tx, case_id)  # the reminder step (one try) failed: on to the call
        assert (case["step_index"], case["waiting_for"]) == (1, None)


async def test_the_same_events_handled_again_emit_the_same_event_ids(outreach_db):
    """Event ids derive from their causes, so a replayed batch is dropped by every downstream inbox."""
    ids = []
    for _ in range(2):
        async with outreach_db.rolled_back(EVENTS, None) as tx:
            await overdue_case(tx, "replay")
            await tick_at(tx, at(DAY, 7))
            await tick_at(tx, at(DAY, 10))
            await record_outcome(tx, CTX, (await only_attempt(tx))["attempt_id"], "delivered")
            ids.append([message.event_id for message in tx.outbox])
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


async def test_a_case_that_cannot_take_its_step_is_set_aside_and_the_tick_goes_on(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        healthy = await overdue_case(tx, "healthy", loan_id="L1", customer_id="C1")
        broken = await overdue_case(tx, "broken", loan_id="L2", customer_id="C2")
        # stored before contracts were bounded: an id no event may carry (the emit refuses it)
        await tx.conn.execute("UPDATE cases SET case_id = $1 WHERE case_id = $2", "x" * 401, broken)
        await tick_at(tx, at(DAY, 10))
        assert [data.case_id for _, data in emitted(tx)] == [healthy]
        set_aside = await case_row(tx, "x" * 401)
        assert set_aside["waiting_for"] == "error"
        assert await tx.conn.fetchval("SELECT count(*) FROM contact_attempts WHERE customer_id = 'C2'") == 0
