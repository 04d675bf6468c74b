"""Visit dispatch's handler and use cases on a real Postgres, without Kafka: what outreach's visit
requests, the clock, a supervisor and a collector at the door make of a visit, as dispatch's
events and refusals show it.

Three collectors cover Shanghai: A nearest the visits in Xuhui, then B, C far; visits are
confirmed for TOMORROW 14:00-16:00 unless a test says otherwise.
"""
from datetime import datetime, timedelta

import pytest

from services.dispatch.app import emitter
from services.dispatch.context import Dispatch
from services.dispatch.day_route import day_route
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.door import check_in, record_outcome
from services.dispatch.handlers import DispatchHandler
from services.dispatch.requests import CheckIn, CollectorIn, VisitOutcomeIn
from services.dispatch.roster_changes import deactivate_collector, save_collector
from shared.refusal import Conflict, Forbidden, Invalid, Malformed, NotFound
from tests.helpers.dispatch import (
    FAR,
    NEAR,
    NEARER,
    TODAY,
    TOMORROW,
    VISIT_POINT,
    at,
    collector_body,
    complaint_opened,
    loan_cured,
    visit_requested,
)
from tests.helpers.service_tier import emitted, incoming
from tests.helpers.service_under_test import tick

POLICY = DispatchPolicy()
DISPATCH = Dispatch(POLICY, collectors_per_visit=2)
HANDLER = DispatchHandler(DISPATCH)
EVENTS = emitter("dispatch-events")
HERE = {"latitude": VISIT_POINT[0], "longitude": VISIT_POINT[1]}


async def roster(tx) -> None:
    """Set up before the first tick, as a supervisor would: nothing is planned yet."""
    for name, home in (("A", NEARER), ("B", NEAR), ("C", FAR)):
        body = CollectorIn.model_validate(collector_body(f"Collector {name}", home=home))
        saved = await save_collector(tx, DISPATCH, f"col-{name}", body)
        assert (saved.created, saved.reassigned_visits) == (True, 0)


async def clock(tx, now) -> None:
    await HANDLER(tx, incoming("clock", ("clock", tick(now))))


async def from_outreach(tx, *events) -> None:
    await HANDLER(tx, incoming("outreach-events", *events))


def of_kind(tx, kind: str) -> list:
    return [data for k, data in emitted(tx) if k == f"dispatch.{kind}"]


async def status(tx, visit_id: str) -> str:
    return await tx.conn.fetchval("SELECT status FROM visits WHERE visit_id = $1", visit_id)


async def assigned_tomorrow(tx, request_id: str = "R1", **fields) -> list[str]:
    await from_outreach(tx, visit_requested(request_id, **fields))
    [assigned] = [a for a in of_kind(tx, "visit_assigned") if a.visit_id == f"visit-{request_id}"]
    return assigned.collector_ids


async def test_a_confirmed_visit_is_scheduled_and_given_the_two_nearest_collectors_inside_its_window(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await from_outreach(tx, visit_requested("R1", customer_id="C1", loan_id="L1"))

        assert [kind for kind, _ in emitted(tx)] == ["dispatch.visit_scheduled", "dispatch.visit_assigned"]
        [scheduled], [assigned] = of_kind(tx, "visit_scheduled"), of_kind(tx, "visit_assigned")
        assert (scheduled.visit_id, scheduled.visit_request_id, scheduled.loan_id) == ("visit-R1", "R1", "L1")
        assert (scheduled.window_start, scheduled.window_end) == (at(TOMORROW, 14), at(TOMORROW, 16))
        assert assigned.collector_ids == ["col-A", "col-B"]
        assert at(TOMORROW, 14) <= assigned.planned_arrival <= at(TOMORROW, 16) - POLICY.duration
        assert [m.key for m in tx.outbox] == ["C1", "C1"], "dispatch's events are keyed by customer"
        assert await status(tx, "visit-R1") == "assigned"


async def test_the_same_request_again_makes_no_second_visit_nor_event(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await from_outreach(tx, visit_requested("R1"), visit_requested("R1", event_id="re-sent-by-outreach"))
        assert [kind for kind, _ in emitted(tx)] == ["dispatch.visit_scheduled", "dispatch.visit_assigned"]
        assert await tx.conn.fetchval("SELECT count(*) FROM visits") == 1


async def test_a_no_show_goes_back_to_outreach_to_agree_a_new_time_never_moved_by_dispatch(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        await assigned_tomorrow(tx)
        tx.outbox.clear()

        await clock(tx, at(TOMORROW, 16) - timedelta(microseconds=1))  # the window's last instant
        assert emitted(tx) == []
        await clock(tx, at(TOMORROW, 16))  # windows are half-open: over at their end
        assert [(kind, getattr(data, "replanned", None) if kind.endswith("missed") else data.reason)
                for kind, data in emitted(tx)] == [("dispatch.visit_missed", False),
                                                   ("dispatch.visit_cancelled", "no_show_reported")]
        assert of_kind(tx, "visit_reassigned") == [], "a visit is never moved to a time nobody confirmed"
        assert await status(tx, "visit-R1") == "cancelled"
        tx.outbox.clear()
        await clock(tx, at(TOMORROW + timedelta(days=1), 16, 5))
        assert emitted(tx) == [], "a visit handed back is not missed again"


async def test_a_cure_cancels_the_loans_visits_not_yet_begun_and_a_complaint_every_visit_of_the_customer(
        dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        morning = await assigned_tomorrow(tx, "R1", customer_id="C1", loan_id="L1", start=(10, 0), end=(12, 0))
        await assigned_tomorrow(tx, "R2", customer_id="C1", loan_id="L1", start=(14, 0), end=(16, 0))
        await assigned_tomorrow(tx, "R3", customer_id="C1", loan_id="L2", start=(17, 0), end=(19, 0))
        await assigned_tomorrow(tx, "R4", customer_id="C2", loan_id="L4", start=(17, 0), end=(19, 0))
        await clock(tx, at(TOMORROW, 10, 30))
        await check_in(tx, "visit-R1", CheckIn(collector_id=morning[0], position=HERE), POLICY.version)
        tx.outbox.clear()

        await HANDLER(tx, incoming("delinquency-events", loan_cured("L1", "C1")))
        assert [(c.visit_id, c.reason) for c in of_kind(tx, "visit_cancelled")] == [("visit-R2", "loan_cured")]
        assert await status(tx, "visit-R1") == "checked_in", "a visit under way was cancelled"
        assert await status(tx, "visit-R3") == "assigned", "the cure of L1 cancelled a visit for L2"

        tx.outbox.clear()
        await from_outreach(tx, complaint_opened("CP1", "C1", at(TOMORROW, 11)))
        assert [(c.visit_id, c.reason) for c in of_kind(tx, "visit_cancelled")] == [("visit-R3", "complaint_opened")]
        assert await status(tx, "visit-R4") == "assigned", "a complaint by C1 cancelled C2's visit"


async def test_the_door_refuses_outsiders_wrong_times_and_wrong_order_with_their_codes(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        lead, partner = await assigned_tomorrow(tx)
        arrive = CheckIn(collector_id=lead, position=HERE)

        with pytest.raises(Conflict) as refused:
            await check_in(tx, "visit-R1", arrive, POLICY.version)
        assert refused.value.code == "outside_confirmed_window"
        assert datetime.fromisoformat(refused.value.details["window_start"]) == at(TOMORROW, 14)

        await clock(tx, at(TOMORROW, 14, 30))
        tx.outbox.clear()
        for visit_id, collector_id, kind, code in (("visit-nothing", lead, NotFound, "visit_not_found"),
                                                   ("visit-R1", "col-C", Forbidden, "not_your_visit")):
            with pytest.raises(kind) as refused:
                await check_in(tx, visit_id, CheckIn(collector_id=collector_id, position=HERE), POLICY.version)
            assert refused.value.code == code
        with pytest.raises(Conflict) as refused:
            await record_outcome(tx, "visit-R1", VisitOutcomeIn(collector_id=lead, outcome="not_home"))
        assert (refused.value.code, refused.value.details) == ("wrong_visit_status", {"visit_status": "assigned"})
        assert emitted(tx) == [] and await status(tx, "visit-R1") == "assigned"

        await check_in(tx, "visit-R1", CheckIn(collector_id=partner, position=HERE), POLICY.version)
        with pytest.raises(Conflict):
            await check_in(tx, "visit-R1", arrive, POLICY.version)
        with pytest.raises(Malformed) as refused:
            await record_outcome(tx, "visit-R1", VisitOutcomeIn(collector_id=lead, outcome="negotiated"))
        assert refused.value.code == "terms_mismatch"
        await record_outcome(tx, "visit-R1", VisitOutcomeIn(collector_id=lead, outcome="not_home",
                                                            evidence=["rec-1"]))

        [checked_in], [completed] = of_kind(tx, "visit_checked_in"), of_kind(tx, "visit_completed")
        assert (checked_in.collector_id, checked_in.checked_in_at) == (partner, at(TOMORROW, 14, 30))
        assert (completed.collector_id, completed.outcome, completed.evidence) == (lead, "not_home", ["rec-1"])
        assert await status(tx, "visit-R1") == "completed"


async def test_a_bad_roster_entry_is_refused_naming_every_problem_and_nothing_is_stored(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        bad = CollectorIn.model_validate(collector_body("Bad Entry", territory=[], capacity=0))
        with pytest.raises(Invalid) as refused:
            await save_collector(tx, DISPATCH, "col-bad", bad)
        assert refused.value.code == "invalid_collector"
        problems = " | ".join(refused.value.details["problems"])
        assert "territory" in problems and "daily_capacity" in problems
        with pytest.raises(NotFound) as refused:
            await deactivate_collector(tx, DISPATCH, "col-nobody")
        assert refused.value.code == "collector_not_found"
        assert await tx.conn.fetchval("SELECT count(*) FROM collectors") == 0


async def test_deactivating_a_collector_reassigns_their_visit_to_the_next_nearest(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        team = await assigned_tomorrow(tx)
        tx.outbox.clear()

        saved = await deactivate_collector(tx, DISPATCH, "col-A")
        assert (saved.created, saved.reassigned_visits) == (False, 1)
        [reassigned] = of_kind(tx, "visit_reassigned")
        assert sorted(reassigned.collector_ids) == ["col-B", "col-C"]
        assert (reassigned.previous_collector_ids, reassigned.reason) == (team, "collector_inactive")
        assert not await tx.conn.fetchval("SELECT active FROM collectors WHERE collector_id = 'col-A'")


async def test_a_collectors_route_lists_the_days_visits_and_refuses_unknown_collectors_and_bad_dates(dispatch_db):
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await clock(tx, at(TODAY, 10))
        team = await assigned_tomorrow(tx)

        route = await day_route(tx.conn, POLICY, team[0], TOMORROW.isoformat())
        assert [s["visit_id"] for s in route["stops"]] == ["visit-R1"] and route["late"] == []
        assert route["stops"][0]["address"]["line"] == "R1 Test Road"
        assert (await day_route(tx.conn, POLICY, "col-C", TOMORROW.isoformat()))["stops"] == []
        with pytest.raises(NotFound):
            await day_route(tx.conn, POLICY, "col-nobody", TOMORROW.isoformat())
        with pytest.raises(Malformed) as refused:
            await day_route(tx.conn, POLICY, team[0], "tomorrow")
        assert refused.value.code == "invalid_date"


async def test_the_sandbox_field_team_checks_in_and_reports_the_outcome_its_visit_id_picks(dispatch_db):
    sandbox = DispatchHandler(Dispatch(POLICY, collectors_per_visit=2, sandbox_field_team=True))
    async with dispatch_db.rolled_back(EVENTS, None) as tx:
        await roster(tx)
        await sandbox(tx, incoming("clock", ("clock", tick(at(TODAY, 10)))))
        team = await assigned_tomorrow(tx)
        tx.outbox.clear()

        await sandbox(tx, incoming("clock", ("clock", tick(at(TOMORROW, 14, 30)))))
        [checked_in], [completed] = of_kind(tx, "visit_checked_in"), of_kind(tx, "visit_completed")
        assert checked_in.collector_id == completed.collector_id == team[0]
        assert (completed.outcome, completed.evidence) == ("not_home", ["rec-visit-R1"])  # as visit-R1 hashes
        assert await status(tx, "visit-R1") == "completed"
