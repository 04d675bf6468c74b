"""Every fact that forbids a visit reaches dispatch and acts at once, whatever the order: a visit not yet
begun is cancelled with the rule that forbade it, a request arriving after the fact is cancelled as soon
as it is scheduled, and the door refuses a check-in that the facts forbid. Each visit is a recorded
decision (rule id and policy version), like a message."""
import pytest

from services.dispatch.door import check_in
from services.dispatch.requests import CheckIn
from services.dispatch.store import conduct as conduct_store
from shared.refusal import Conflict
from tests.helpers.dispatch import (
    TODAY,
    TOMORROW,
    agreement_signed,
    at,
    complaint_opened,
    complaint_resolved,
    dispute_opened,
    loan_cured,
    loan_paid_up,
    loan_settled_without_case,
    preferences_changed,
    visit_requested,
)
from tests.helpers.service_tier import emitted, incoming
from tests.service.dispatch.test_dispatch_use_cases import (
    EVENTS,
    HANDLER,
    HERE,
    POLICY,
    assigned_tomorrow,
    clock,
    from_outreach,
    of_kind,
    roster,
    status,
)


async def cancelled(tx) -> list[tuple[str, str, str]]:
    return [(c.visit_id, c.reason, c.rule_id) for c in of_kind(tx, "visit_cancelled")]


@pytest.mark.parametrize("topic, fact, reason, rule", [
    ("delinquency-events", loan_paid_up("L1", "C1", at(TODAY, 11)), "loan_paid_up", "case.paid_up"),
    ("delinquency-events", dispute_opened("L1", "C1", at(TODAY, 11)), "loan_disputed", "dispute.open"),
    ("agreement-events", agreement_signed("L1", "C1", at(TODAY, 11)), "agreement_signed", "agreement.in_force"),
    ("outreach-events", preferences_changed("C1", at(TODAY, 11), stop_contact=True), "contact_stopped",
     "preference.stop_contact"),
    ("outreach-events", preferences_changed("C1", at(TODAY, 11), channel="sms"), "preference_channel",
     "preference.channel"),
    ("outreach-events", preferences_changed("C1", at(TODAY, 11), hours=("09:00", "12:00")), "preference_hours",
     "preference.hours"),
])
async def test_a_fact_that_forbids_a_visit_cancels_it_at_once_and_a_later_request_too(dispatch_db, topic, fact,
                                                                                     reason, rule):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await assigned_tomorrow(tx)
        tx.outbox.clear()
        await HANDLER(tx, incoming(topic, fact))
        assert await cancelled(tx) == [("visit-R1", reason, rule)]
        assert await status(tx, "visit-R1") == "cancelled"

        tx.outbox.clear()  # outreach, lagging, asks again for the same case: never relies on its absence
        await from_outreach(tx, visit_requested("R2"))
        [scheduled] = of_kind(tx, "visit_scheduled")
        assert (scheduled.rule_id, scheduled.policy_version) == (rule, POLICY.version)
        assert await cancelled(tx) == [("visit-R2", reason, rule)]
        assert of_kind(tx, "visit_assigned") == []


async def test_a_resolved_complaint_lets_the_next_request_through_and_preferences_keep_the_latest(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await from_outreach(tx, complaint_opened("CP1", "C1", at(TODAY, 9)),
                            complaint_resolved("CP1", "C1", at(TODAY, 9, 30)),
                            preferences_changed("C1", at(TODAY, 9, 50), stop_contact=False),
                            preferences_changed("C1", at(TODAY, 9, 40), stop_contact=True))  # older, read later
        await from_outreach(tx, visit_requested("R1"))
        [scheduled] = of_kind(tx, "visit_scheduled")
        assert scheduled.rule_id == "allowed" and len(of_kind(tx, "visit_assigned")) == 1


async def test_every_visit_is_a_recorded_decision_and_the_door_is_the_last_check(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        lead, _ = await assigned_tomorrow(tx)
        await clock(tx, at(TOMORROW, 14, 30))
        # a hold dispatch's own follow-up has not applied to the visit yet (say, a fact in the same batch)
        await conduct_store.hold(tx.conn, "customer", "C1", "complaint.open", "CP9", at(TOMORROW, 14, 29))
        with pytest.raises(Conflict) as refused:
            await check_in(tx, "visit-R1", CheckIn(collector_id=lead, position=HERE), POLICY.version)
        assert (refused.value.code, refused.value.details) == ("visit_forbidden", {"rule_id": "complaint.open"})
        await from_outreach(tx, complaint_opened("CP9", "C1", at(TOMORROW, 14, 29)))  # the fact itself arrives
        with pytest.raises(Conflict) as refused:
            await check_in(tx, "visit-R1", CheckIn(collector_id=lead, position=HERE), POLICY.version)
        assert (refused.value.code, refused.value.details) == ("visit_cancelled", {"reason": "complaint_opened"})
        decisions = await tx.conn.fetch("SELECT stage, rule_id, policy_version FROM visit_decisions"
                                        " WHERE visit_id = 'visit-R1' ORDER BY decided_at")
        assert [tuple(d) for d in decisions] == [("schedule", "allowed", POLICY.version),
                                                 ("cancel", "complaint.open", POLICY.version)]


async def test_a_checked_in_visit_records_the_decision_at_the_door(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        lead, _ = await assigned_tomorrow(tx)
        await clock(tx, at(TOMORROW, 14, 30))
        tx.outbox.clear()
        await check_in(tx, "visit-R1", CheckIn(collector_id=lead, position=HERE), POLICY.version)
        [checked_in] = of_kind(tx, "visit_checked_in")
        assert (checked_in.rule_id, checked_in.policy_version) == ("allowed", POLICY.version)
        assert emitted(tx)[0][0] == "dispatch.visit_checked_in"


async def test_a_loan_settled_without_a_case_does_not_hold_its_later_cases(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await HANDLER(tx, incoming("delinquency-events", loan_settled_without_case("L1", "C1")))
        await from_outreach(tx, visit_requested("R1"))
        [scheduled] = of_kind(tx, "visit_scheduled")
        assert scheduled.rule_id == "allowed" and len(of_kind(tx, "visit_assigned")) == 1


async def test_a_request_for_a_case_already_cured_is_cancelled_saying_it_was_cured(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await HANDLER(tx, incoming("delinquency-events", loan_cured("L1", "C1")))
        await from_outreach(tx, visit_requested("R1"))  # outreach, lagging, asks for the cured case
        assert await cancelled(tx) == [("visit-R1", "loan_cured", "case.ended")]
