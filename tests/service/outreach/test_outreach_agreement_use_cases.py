"""Agreements on a real Postgres: an agreement in force holds every case of its loan, also one opened after
signing, until it is broken, fulfilled or ended; by policy it also holds the customer's other loans."""
from dataclasses import replace
from datetime import timedelta

from services.outreach.handlers import OutreachHandler
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.outreach import at, champion_case_id, tick
from tests.helpers.service_tier import incoming
from tests.service.outreach.events import became_overdue, broken, cured, fulfilled, signed
from tests.service.outreach.support import (
    CTX,
    DAY,
    EVENTS,
    attempts,
    blocked,
    borrower,
    case_row,
    decisions,
    handle,
    overdue_case,
    tick_at,
)

LATER = DAY + timedelta(days=10)


async def reopened(tx, label: str) -> str:
    """The loan, cured and overdue again: a new case, opened after the agreement was signed."""
    case_id = champion_case_id(label)
    await handle(tx, "delinquency-events", became_overdue("L1", "C1", case_id, business_date=LATER))
    return case_id


async def test_a_case_opened_after_signing_is_held_and_the_block_recorded(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        first = await overdue_case(tx, "agreement-first")
        await handle(tx, "agreement-events", signed("agr-1", "L1", "C1", first, at(DAY, 9, 30)))
        assert (await case_row(tx, first))["waiting_for"] == "agreement"
        await handle(tx, "delinquency-events", cured("L1", "C1", first, DAY + timedelta(days=2)))

        later = await reopened(tx, "agreement-later")
        assert (await case_row(tx, later))["agreement_id"] == "agr-1"
        await tick_at(tx, at(LATER + timedelta(days=1), 10))
        assert await attempts(tx) == []
        [block] = blocked(tx)
        assert (block.rule_id, block.case_id, block.policy_version) == ("agreement.in_force", later,
                                                                         CTX.rulebook.version)
        [decision] = await decisions(tx)
        assert (decision["rule_id"], decision["case_id"], decision["attempt_id"]) == ("agreement.in_force", later,
                                                                                      None)
        case = await case_row(tx, later)
        assert (case["waiting_for"], case["next_action_at"]) == ("agreement", None)

        await handle(tx, "agreement-events", broken("agr-1", "L1", "C1", first, at(LATER + timedelta(days=1), 11)))
        case = await case_row(tx, later)
        assert (case["waiting_for"], case["agreement_id"], case["broken_promises"]) == (None, None, 1)
        await tick_at(tx, at(LATER + timedelta(days=1), 11, 30))
        assert len(await attempts(tx)) == 1


async def test_a_fulfilled_agreement_lets_its_cases_go_on_where_they_were(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "agreement-fulfilled")
        await handle(tx, "agreement-events", signed("agr-2", "L1", "C1", case_id, at(DAY, 9, 30)))
        await tick_at(tx, at(DAY + timedelta(days=3), 10))
        assert await attempts(tx) == []
        await handle(tx, "agreement-events", fulfilled("agr-2", "L1", "C1", case_id, at(DAY + timedelta(days=3), 11)))
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["agreement_id"], case["broken_promises"], case["next_action_at"]) == (
            None, None, 0, at(DAY + timedelta(days=3), 10))
        await reopened(tx, "after-fulfilled")  # no agreement in force any more: a new case is not held
        assert (await case_row(tx, champion_case_id("after-fulfilled")))["agreement_id"] is None


async def test_an_end_heard_before_the_signature_leaves_nothing_in_force(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "agreement-out-of-order")
        await handle(tx, "agreement-events", fulfilled("agr-3", "L1", "C1", case_id, at(DAY, 9, 40)),
                     signed("agr-3", "L1", "C1", case_id, at(DAY, 9, 30)))
        case = await case_row(tx, case_id)
        assert (case["waiting_for"], case["agreement_id"]) == (None, None) and case["next_action_at"] is not None
        await tick_at(tx, at(DAY, 10))
        assert len(await attempts(tx)) == 1


async def test_by_policy_an_agreement_also_holds_the_customers_other_loans(outreach_db):
    book = CTX.rulebook
    holds_all = replace(CTX, rulebook=book.model_copy(update={
        "version": "test-holds-other-loans",
        "agreement": book.agreement.model_copy(update={"holds_other_loans": True})}))
    for ctx, expected in ((CTX, None), (holds_all, "agreement.other_loan")):
        handler = OutreachHandler(ctx, SHANGHAI)
        async with outreach_db.rolled_back(EVENTS, None) as tx:
            own = await overdue_case(tx, "own-loan")  # open at signing: held at once
            await handler(tx, incoming("agreement-events", signed("agr-4", "L1", "C1", own, at(DAY, 9, 30))))
            assert (await case_row(tx, own))["waiting_for"] == "agreement"
            await borrower(tx, "L2", "C1")
            other = champion_case_id("other-loan")  # the customer's other loan, overdue after the signing
            await handler(tx, incoming("delinquency-events", became_overdue("L2", "C1", other)))
            await handler(tx, incoming("clock", ("clock", tick(at(DAY, 10)))))
            contacted = {a["case_id"] for a in await attempts(tx)}
            if expected is None:
                assert contacted == {other}  # the default: only the agreement's own loan is held
                continue
            assert contacted == set()
            [block] = blocked(tx)
            assert (block.case_id, block.rule_id, block.policy_version) == (other, expected, "test-holds-other-loans")
            assert (await case_row(tx, other))["waiting_for"] == "agreement"
            await handler(tx, incoming("agreement-events", broken("agr-4", "L1", "C1", own, at(DAY, 11))))
            other_case, own_case = await case_row(tx, other), await case_row(tx, own)
            assert (other_case["waiting_for"], other_case["broken_promises"]) == (None, 0)  # let go, not restarted
            assert (own_case["waiting_for"], own_case["broken_promises"]) == (None, 1)
