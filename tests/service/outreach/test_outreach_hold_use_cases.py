"""Facts that stop collection on a case whatever its step, on a real Postgres: a payment that cleared what was
overdue, a dispute with the merchant. Each cancels what was queued (recording why), pauses the case, and lets
it go only when the fact itself changes, in whichever order the events arrive."""
from datetime import timedelta

from shared.events.delinquency import LoanBucketChanged
from tests.helpers.loan_events import payment, reversal
from tests.helpers.outreach import at
from tests.service.outreach.events import (
    became_overdue,
    cured,
    dispute_opened,
    dispute_resolved,
    paid_up,
    snapshot,
)
from tests.service.outreach.support import (
    CTX,
    DAY,
    EVENTS,
    attempts,
    blocked,
    case_row,
    decisions,
    handle,
    only_attempt,
    overdue_case,
    tick_at,
)

NEXT = DAY + timedelta(days=1)


async def pending_reminder(tx, label: str) -> tuple[str, str]:
    """A case whose SMS reminder was allowed at 10:00 and is not sent yet."""
    case_id = await overdue_case(tx, label)
    await tick_at(tx, at(DAY, 10))
    attempt = await only_attempt(tx)
    assert attempt["dispatch_status"] == "pending"
    return case_id, attempt["attempt_id"]


async def test_a_paid_up_loan_stops_at_once_and_nothing_more_is_sent_until_its_case_closes(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, attempt_id = await pending_reminder(tx, "paid-up")
        await handle(tx, "loan-events", payment("P1", "L1", 60_000, at(DAY, 10, 20))[1:])
        await handle(tx, "delinquency-events", paid_up("L1", "C1", case_id, "P1", at(DAY, 10, 20)))

        assert (await only_attempt(tx))["dispatch_status"] == "cancelled"
        [final] = blocked(tx)
        assert (final.rule_id, final.case_id, final.policy_version, final.retry_at) == (
            "loan.paid_up", case_id, CTX.rulebook.version, None)
        [decision] = await decisions(tx)
        assert (decision["attempt_id"], decision["rule_id"], decision["decided_at"]) == (
            attempt_id, "loan.paid_up", at(DAY, 10))  # the service's time when it was heard
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"], case["paid_up_payment_id"]) == ("paid_up", None, "P1")

        for days in (1, 2, 5):
            await tick_at(tx, at(DAY + timedelta(days=days), 10, 30))
        assert len(await attempts(tx)) == 1 and len(blocked(tx)) == 1  # nothing decided, nothing sent
        await handle(tx, "delinquency-events", cured("L1", "C1", case_id, DAY))
        assert (await case_row(tx, case_id))["status"] == "closed"


async def test_a_reversed_payment_paid_nothing_up_whichever_is_heard_first(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, _ = await pending_reminder(tx, "paid-up-reversed")
        await handle(tx, "loan-events", payment("P1", "L1", 60_000, at(DAY, 10, 20))[1:])
        await handle(tx, "delinquency-events", paid_up("L1", "C1", case_id, "P1", at(DAY, 10, 20)))
        await handle(tx, "loan-events", reversal("P1", "L1", 60_000, at(DAY, 11))[1:])
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"], case["paid_up_payment_id"]) == (None, at(DAY, 10), None)
        await tick_at(tx, at(DAY, 11, 30))
        assert len(await attempts(tx)) == 2  # the reminder step again: the first was never sent

    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, _ = await pending_reminder(tx, "reversed-then-paid-up")
        await handle(tx, "loan-events", payment("P1", "L1", 60_000, at(DAY, 10, 20))[1:],
                     reversal("P1", "L1", 60_000, at(DAY, 11))[1:])
        await handle(tx, "delinquency-events", paid_up("L1", "C1", case_id, "P1", at(DAY, 10, 20)))
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["paid_up_payment_id"]) == ("outcome", None)
        assert (await only_attempt(tx))["dispatch_status"] == "pending" and blocked(tx) == []


async def test_a_dispute_pauses_the_loan_until_every_dispute_of_it_is_resolved(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, attempt_id = await pending_reminder(tx, "dispute")
        await handle(tx, "delinquency-events", dispute_opened("L1", "C1", case_id, "D1", at(DAY, 10, 10)),
                     dispute_opened("L1", "C1", case_id, "D2", at(DAY, 10, 15)))
        assert (await only_attempt(tx))["dispatch_status"] == "cancelled"
        [final] = blocked(tx)
        assert (final.rule_id, final.case_id) == ("dispute.open", case_id)
        assert (await decisions(tx))[0]["attempt_id"] == attempt_id
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == ("dispute", None)

        await handle(tx, "delinquency-events", dispute_resolved("L1", "C1", case_id, "D1", at(DAY, 12)))
        await tick_at(tx, at(NEXT, 10))
        assert (await case_row(tx, case_id))["waiting_for"] == "dispute"  # D2 is still open
        assert len(await attempts(tx)) == 1

        await handle(tx, "delinquency-events", dispute_resolved("L1", "C1", case_id, "D2", at(NEXT, 11)))
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == (None, at(NEXT, 10))
        await tick_at(tx, at(NEXT, 11, 30))
        assert len(await attempts(tx)) == 2


async def test_a_disputes_resolution_heard_before_its_opening_does_not_pause_the_loan(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id, _ = await pending_reminder(tx, "dispute-out-of-order")
        await handle(tx, "delinquency-events", dispute_resolved("L1", "C1", case_id, "D1", at(DAY, 12)),
                     dispute_opened("L1", "C1", case_id, "D1", at(DAY, 10, 10)))
        assert (await case_row(tx, case_id))["waiting_for"] == "outcome"
        assert (await only_attempt(tx))["dispatch_status"] == "pending" and blocked(tx) == []


async def test_a_case_opened_on_a_disputed_loan_records_the_block_and_waits(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        # no dispute event was heard: the snapshot opening the case says the loan is in dispute
        case_id = await overdue_case(tx, "disputed-at-opening", disputed=True)
        await tick_at(tx, at(DAY, 10))
        assert await attempts(tx) == []
        [block] = blocked(tx)
        assert (block.rule_id, block.case_id, block.channel, block.retry_at) == ("dispute.open", case_id, "sms", None)
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["next_action_at"]) == ("dispute", None)

        # the next day's snapshot says the dispute is over
        await handle(tx, "delinquency-events", snapshot(LoanBucketChanged, "L1", "C1", case_id, business_date=DAY,
                                                        previous_bucket="1-30", disputed=False))
        await tick_at(tx, at(NEXT, 10))
        assert len(await attempts(tx)) == 1


async def test_a_dispute_heard_before_the_case_opens_holds_the_case_from_its_first_step(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "delinquency-events", dispute_opened("L1", "C1", None, "D1", at(DAY, 0, 1)))
        case_id = await overdue_case(tx, "dispute-before-case")  # this snapshot's flag is down: not a resolution
        await tick_at(tx, at(DAY, 10))
        assert await attempts(tx) == [] and [b.rule_id for b in blocked(tx)] == ["dispute.open"]
        assert (await case_row(tx, case_id))["waiting_for"] == "dispute"
        await handle(tx, "delinquency-events", became_overdue("L1", "C1", case_id))  # a redelivered copy
        assert (await case_row(tx, case_id))["waiting_for"] == "dispute"
