"""The last check at the moment of action, on a real Postgres: right before the sender hands an attempt to the
gateway, the rule book judges it again on the latest facts; a blocked attempt is not sent and its final decision
is recorded. An attempt sent keeps when it was sent beside when it was decided."""
from datetime import time, timedelta

from services.outreach.borrower_rights import contact_history, set_preferences
from services.outreach.channels.sender import Sender
from services.outreach.domain.model import Preferences
from services.outreach.domain.windows import HoursWindow
from services.outreach.last_check import clear_to_send
from services.outreach.outcomes import record_outcome
from tests.helpers.outreach import at
from tests.service.outreach.support import (
    CTX,
    DAY,
    EVENTS,
    InThisTransaction,
    RecordingGateway,
    attempts,
    blocked,
    case_row,
    decisions,
    only_attempt,
    overdue_case,
    tick_at,
)


def sender(tx, gateway) -> Sender:
    unit = InThisTransaction(tx)

    async def failed(attempt_id: str) -> None:
        await record_outcome(tx, CTX, attempt_id, "failed")

    return Sender(unit, gateway, on_failed=failed, last_check=lambda work, attempt: clear_to_send(work, CTX, attempt))


async def test_an_attempt_sent_keeps_when_it_was_decided_and_when_it_was_sent(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "sent-at")
        await tick_at(tx, at(DAY, 10))
        await tick_at(tx, at(DAY, 10, 1))  # the sender runs a minute later (its first try, say, was lost)
        gateway = RecordingGateway()
        assert await sender(tx, gateway).send_once() == 1
        attempt = await only_attempt(tx)
        assert [m.attempt_id for m in gateway.sent] == [attempt["attempt_id"]]
        assert (attempt["dispatch_status"], attempt["decided_at"], attempt["sent_at"]) == (
            "sent", at(DAY, 10), at(DAY, 10, 1))
        [entry] = await contact_history(tx.conn, "C1")
        assert (entry["decided_at"], entry["sent_at"], entry["status"]) == (at(DAY, 10), at(DAY, 10, 1), "sent")


async def test_a_stop_request_made_after_the_decision_stops_the_message_before_the_gateway(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "stop-before-send")
        await tick_at(tx, at(DAY, 10))
        await set_preferences(tx, "C1", Preferences(stop_contact=True))  # queued attempts are not touched by it
        gateway = RecordingGateway()
        assert await sender(tx, gateway).send_once() == 1
        assert gateway.sent == []
        attempt = await only_attempt(tx)
        assert (attempt["dispatch_status"], attempt["sent_at"]) == ("cancelled", None)
        [final] = blocked(tx)
        assert (final.rule_id, final.policy_version, final.case_id, final.decided_at) == (
            "preference.stop_contact", CTX.rulebook.version, case_id, at(DAY, 10))
        [decision] = await decisions(tx)
        assert (decision["attempt_id"], decision["rule_id"]) == (attempt["attempt_id"], "preference.stop_contact")
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == ("preference", None)
        history = await contact_history(tx.conn, "C1")
        assert [(h["kind"], h["status"], h["attempt_id"]) for h in history] == [  # newest first: the stop
            ("blocked", "blocked", attempt["attempt_id"]), ("attempt", "cancelled", None)]


async def test_a_message_that_would_now_arrive_outside_the_hours_waits_for_them(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "hours-before-send")
        await tick_at(tx, at(DAY, 20, 55))
        await tick_at(tx, at(DAY, 21, 5))  # the sender got to it after contact hours ended
        gateway = RecordingGateway()
        await sender(tx, gateway).send_once()
        assert gateway.sent == [] and (await only_attempt(tx))["dispatch_status"] == "cancelled"
        [final] = blocked(tx)
        assert (final.rule_id, final.retry_at) == ("hours.window", at(DAY + timedelta(days=1), 8))
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"], case["step_index"], case["step_attempts"]) == (
            "rule", at(DAY + timedelta(days=1), 8), 0, 0)  # the step again when the hours open, no try lost
        await tick_at(tx, at(DAY + timedelta(days=1), 8))
        await sender(tx, gateway).send_once()
        assert len(gateway.sent) == 1 and len(await attempts(tx)) == 2


async def test_preferred_hours_set_after_the_decision_hold_the_message(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "preferred-hours-before-send")
        await tick_at(tx, at(DAY, 10))
        await set_preferences(tx, "C1", Preferences(preferred_hours=HoursWindow(time(18), time(20))))
        gateway = RecordingGateway()
        await sender(tx, gateway).send_once()
        assert gateway.sent == []
        [final] = blocked(tx)
        assert (final.rule_id, final.retry_at) == ("preference.hours", at(DAY, 18))


async def test_an_attempt_is_not_counted_against_itself_at_its_last_check(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        # two loans of one person, two reminders in one tick: the daily cap of 2 SMS allows both, and each is
        # judged again beside the other, not beside itself
        await overdue_case(tx, "cap-first", loan_id="L1")
        await overdue_case(tx, "cap-second", loan_id="L2")
        await tick_at(tx, at(DAY, 10))
        assert len(await attempts(tx)) == 2
        gateway = RecordingGateway()
        assert await sender(tx, gateway).send_once() == 2
        assert len(gateway.sent) == 2 and blocked(tx) == []


class CancelledRightAfterTheClaim(Sender):
    """A complaint's cancellation lands between the sender's claim and its hand-off."""

    async def _claim(self, tx):
        claimed = await super()._claim(tx)
        await tx.conn.execute("UPDATE contact_attempts SET dispatch_status = 'cancelled'")
        return claimed


async def test_an_attempt_cancelled_after_the_claim_is_not_handed_over(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "cancelled-before-hand-off")
        await tick_at(tx, at(DAY, 10))
        gateway = RecordingGateway()
        claiming = CancelledRightAfterTheClaim(InThisTransaction(tx), gateway, on_failed=None,
                                               last_check=lambda work, attempt: clear_to_send(work, CTX, attempt))
        assert await claiming.send_once() == 1
        assert gateway.sent == []
        assert (await only_attempt(tx))["dispatch_status"] == "cancelled"
