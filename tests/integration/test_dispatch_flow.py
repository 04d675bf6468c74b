"""Visit dispatch on the real broker and database: the roster over HTTP, visit requests in from
outreach, teams assigned and routed, cancellations from delinquency and complaints, the door,
no-shows on the clock, and re-assignment when the roster changes.

Every borrower and collector lives in Asia/Shanghai; times below are their wall clock. The clock
starts on TODAY (a Monday) at 10:00 and visits are confirmed for TOMORROW 14:00-16:00 in Xuhui.
"""
from datetime import timedelta

import pytest

from tests.helpers.dispatch import (
    COLLECTOR,
    FAR,
    NEAR,
    NEARER,
    PORTAL,
    SUPERVISOR,
    TODAY,
    TOMORROW,
    VISIT_POINT,
    at,
    collector_body,
    collector_token,
    complaint_opened,
    instant,
    loan_cured,
    running_dispatch,
    visit_requested,
)
from tests.helpers.waiting import eventually

VISIT_MINUTES = 45  # DispatchPolicy.visit_minutes: a planned arrival leaves this much of the window
TERMS = {"currency": "CNY", "waiver_amount": 0, "instalments": [
    {"due_date": "2026-03-10", "amount": 20_000}, {"due_date": "2026-04-10", "amount": 20_000},
    {"due_date": "2026-05-10", "amount": 20_000}]}


@pytest.fixture
async def dispatch(stack):
    async with running_dispatch(stack) as service:
        yield service


async def roster(dispatch) -> dict[str, str]:
    """Three certified collectors covering Shanghai (A nearest the visit, then B, C far), and two who
    must never be sent although they live at the door: U's certification ends the day before the
    visit, O covers only another district."""
    bodies = {
        "A": collector_body("Collector A", home=NEARER),
        "B": collector_body("Collector B", home=NEAR),
        "C": collector_body("Collector C", home=FAR),
        "U": collector_body("Uncertified U", home=VISIT_POINT, certified_until=TODAY),
        "O": collector_body("Elsewhere O", home=VISIT_POINT, territory=["Shanghai/Pudong"]),
    }
    ids = {name: await dispatch.add_collector(body, f"col-{name}") for name, body in bodies.items()}
    assert len(set(ids.values())) == 5
    return ids


def assert_inside_window(planned: str, window_start, window_end) -> None:
    arrival = instant(planned)
    assert window_start <= arrival, f"planned arrival {arrival} before the window opens at {window_start}"
    assert arrival + timedelta(minutes=VISIT_MINUTES) <= window_end, (
        f"planned arrival {arrival} leaves less than a visit's length before {window_end}")


async def assigned_visit(dispatch, request_id: str = "R1", **fields) -> tuple[str, list[str]]:
    visit_id = await dispatch.request_visit(request_id, **fields)
    [assigned] = await dispatch.wait_emitted("dispatch.visit_assigned", visit_id=visit_id)
    return visit_id, assigned["data"]["collector_ids"]


# --- the roster ---------------------------------------------------------------------------------


async def test_supervisors_keep_the_roster_and_bad_entries_are_refused_naming_each_problem(dispatch):
    created = []
    for name in ("Collector A", "Collector B", "Collector C"):
        status, body = await dispatch.post("/collectors", collector_body(name), SUPERVISOR)
        assert status == 201, body
        created.append(body["collector_id"])
    assert len(set(created)) == 3
    rows = await dispatch.query("SELECT * FROM collectors ORDER BY name")
    assert [r["name"] for r in rows] == ["Collector A", "Collector B", "Collector C"]
    assert all(r["active"] and r["territory"] == ["Shanghai"] and r["daily_capacity"] == 6 for r in rows)

    bad = collector_body("Bad Entry", territory=[], capacity=0,
                         hours={**{str(d): {"start": "09:00", "end": "20:00"} for d in range(7)},
                                "2": {"start": "18:00", "end": "09:00"}})
    status, body = await dispatch.post("/collectors", bad, SUPERVISOR)
    assert status in (400, 422), body
    problems = " | ".join(map(str, body.get("problems", [])))
    for field in ("daily_capacity", "hours", "territory"):
        assert field in problems, f"{field} not named among the problems: {body}"
    assert "weekday 2" in problems, body

    status, body = await dispatch.post("/collectors", {**collector_body("Typo"), "daily_capacity": "many"},
                                       SUPERVISOR)
    assert status == 400 and any(p["field"] == "daily_capacity" for p in body["problems"]), body
    missing = {k: v for k, v in collector_body("No Home").items() if k != "home"}
    status, body = await dispatch.post("/collectors", missing, SUPERVISOR)
    assert status == 400 and any(p["field"] == "home" for p in body["problems"]), body

    status, body = await dispatch.post("/collectors", collector_body("No Token"))
    assert status == 401, body
    status, body = await dispatch.post("/collectors", collector_body("By A Collector"), COLLECTOR)
    assert status == 403, body
    status, body = await dispatch.post(f"/collectors/{created[0]}/deactivate", {}, COLLECTOR)
    assert status == 403, body
    status, body = await dispatch.post("/collectors/col-nobody/deactivate", {}, SUPERVISOR)
    assert status == 404, body

    assert len(await dispatch.query("SELECT 1 FROM collectors")) == 3, "a refused entry was stored"


# --- assignment and routes ----------------------------------------------------------------------


async def test_a_requested_visit_is_scheduled_then_assigned_to_two_certified_collectors_who_cover_it(dispatch):
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    await dispatch.send_outreach(visit_requested("R1", customer_id="C1", loan_id="L1"))

    await dispatch.wait_emitted("dispatch.visit_assigned")
    events = await dispatch.emitted(customer_id="C1")
    assert [e["type"] for e in events] == ["dispatch.visit_scheduled", "dispatch.visit_assigned"]
    scheduled, assigned = events
    visit_id = scheduled["data"]["visit_id"]
    assert scheduled["data"]["visit_request_id"] == "R1" and scheduled["data"]["loan_id"] == "L1"
    assert instant(scheduled["data"]["window_start"]) == at(TOMORROW, 14)
    assert instant(scheduled["data"]["window_end"]) == at(TOMORROW, 16)
    assert scheduled["subject"] == "C1" and assigned["subject"] == "C1"

    team = assigned["data"]["collector_ids"]
    assert assigned["data"]["visit_id"] == visit_id and len(team) == 2 and len(set(team)) == 2
    assert ids["U"] not in team, "a collector whose certification ends before the visit day was sent"
    assert ids["O"] not in team, "a collector who does not cover the visit's district was sent"
    assert set(team) <= {ids["A"], ids["B"], ids["C"]}
    assert set(team) == {ids["A"], ids["B"]}, "the two nearest eligible collectors should go"
    assert_inside_window(assigned["data"]["planned_arrival"], at(TOMORROW, 14), at(TOMORROW, 16))

    row = await dispatch.visit(visit_id)
    assert row["status"] == "assigned" and list(row["collector_ids"]) == team
    assert not await dispatch.dead_letters()


async def test_a_collectors_route_lists_the_visit_inside_its_window_with_its_address(dispatch):
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    # A morning visit a few streets away, then the afternoon one: both on the route, in window order.
    morning, morning_team = await assigned_visit(dispatch, "R0", customer_id="C0", loan_id="L0", start=(10, 0),
                                                 end=(12, 0), point=(31.195, 121.45))
    visit_id, team = await assigned_visit(dispatch, "R1")

    for collector_id, token in ((team[0], collector_token(team[0])), (team[1], SUPERVISOR)):
        status, route = await dispatch.get(f"/collectors/{collector_id}/route?date={TOMORROW.isoformat()}", token)
        assert status == 200, route
        assert route["collector_id"] == collector_id and route["date"] == TOMORROW.isoformat()
        expected = ([morning] if collector_id in morning_team else []) + [visit_id]
        assert [s["visit_id"] for s in route["stops"]] == expected, "stops not in the order of their windows"
        for earlier in route["stops"][:-1]:
            assert_inside_window(earlier["planned_arrival"], at(TOMORROW, 10), at(TOMORROW, 12))
        stop = route["stops"][-1]
        assert route["late"] == []
        assert instant(stop["window_start"]) == at(TOMORROW, 14) and instant(stop["window_end"]) == at(TOMORROW, 16)
        assert_inside_window(stop["planned_arrival"], at(TOMORROW, 14), at(TOMORROW, 16))
        address = stop["address"]
        assert (address["line"], address["city"], address["district"]) == ("R1 Test Road", "Shanghai", "Xuhui")
        assert (address["latitude"], address["longitude"]) == VISIT_POINT
        assert route["total_km"] > 0

    idle = ({ids["A"], ids["B"], ids["C"]} - set(team) - set(morning_team)) or {ids["U"]}
    status, route = await dispatch.get(f"/collectors/{idle.pop()}/route?date={TOMORROW.isoformat()}", SUPERVISOR)
    assert status == 200 and route["stops"] == [], route
    status, route = await dispatch.get(f"/collectors/{team[0]}/route?date={TODAY.isoformat()}", SUPERVISOR)
    assert status == 200 and route["stops"] == [], route

    status, body = await dispatch.get(f"/collectors/{team[0]}/route?date=tomorrow", SUPERVISOR)
    assert status == 400, body
    status, body = await dispatch.get(f"/collectors/col-nobody/route?date={TOMORROW.isoformat()}", SUPERVISOR)
    assert status == 404, body
    status, body = await dispatch.get(f"/collectors/{team[0]}/route?date={TOMORROW.isoformat()}", PORTAL)
    assert status == 403, body
    status, body = await dispatch.get(f"/collectors/{team[0]}/route?date={TOMORROW.isoformat()}")
    assert status == 401, body


async def test_a_visit_confirmed_later_for_an_earlier_hour_goes_to_collectors_free_at_that_hour(dispatch):
    """Borrowers confirm in any order: a collector with a visit at 14:00 is free at 10:00 the same day."""
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    _, afternoon_team = await assigned_visit(dispatch, "R1", customer_id="C1", loan_id="L1")
    assert set(afternoon_team) == {ids["A"], ids["B"]}

    morning = await dispatch.request_visit("R0", customer_id="C0", loan_id="L0", start=(10, 0), end=(12, 0),
                                           point=(31.195, 121.45))
    await dispatch.all_published()
    unassignable = await dispatch.emitted("dispatch.visit_unassignable", visit_id=morning)
    assert not unassignable, (
        "a 10:00-12:00 visit was refused although A and B are free all morning (their only visit is at 14:00): "
        f"{unassignable[0]['data']['reason']}")
    [assigned] = await dispatch.emitted("dispatch.visit_assigned", visit_id=morning)
    assert len(assigned["data"]["collector_ids"]) == 2
    assert_inside_window(assigned["data"]["planned_arrival"], at(TOMORROW, 10), at(TOMORROW, 12))
    for collector_id in assigned["data"]["collector_ids"]:
        status, route = await dispatch.get(f"/collectors/{collector_id}/route?date={TOMORROW.isoformat()}",
                                           SUPERVISOR)
        assert status == 200 and route["late"] == [], route


async def test_a_visit_nobody_can_take_is_unassignable_with_the_reason_and_counted(dispatch):
    await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    before = await dispatch.metric("dispatch_visits_unassignable_total", reason="outside_territory")

    chengdu = await dispatch.request_visit("R-chengdu", customer_id="C9", loan_id="L9", city="Chengdu",
                                           district="Wuhou", point=(30.64, 104.04))
    [unassignable] = await dispatch.wait_emitted("dispatch.visit_unassignable", visit_id=chengdu)
    assert unassignable["data"]["reason"] == "outside_territory"
    assert not await dispatch.emitted("dispatch.visit_assigned", visit_id=chengdu)
    row = await dispatch.visit(chengdu)
    assert row["status"] == "unassignable" and list(row["collector_ids"]) == []

    async def counted():
        return await dispatch.metric("dispatch_visits_unassignable_total", reason="outside_territory") >= before + 1

    await eventually(counted, what="dispatch_visits_unassignable_total{reason=outside_territory} counted")

    # Covered, but the borrower confirmed a time nobody works and no visit may happen (06:00-07:30).
    early = await dispatch.request_visit("R-early", customer_id="C8", loan_id="L8", start=(6, 0), end=(7, 30))
    [unassignable] = await dispatch.wait_emitted("dispatch.visit_unassignable", visit_id=early)
    assert unassignable["data"]["reason"] == "outside_working_hours"


async def test_a_collector_at_capacity_is_not_sent_again_that_day(dispatch):
    ids = {name: await dispatch.add_collector(collector_body(f"Collector {name}", home=home, capacity=1))
           for name, home in (("A", NEARER), ("B", NEAR), ("C", FAR))}
    await dispatch.tick(at(TODAY, 10))
    first, team = await assigned_visit(dispatch, "R1", customer_id="C1", loan_id="L1", start=(10, 0), end=(12, 0))
    assert set(team) == {ids["A"], ids["B"]}

    second = await dispatch.request_visit("R2", customer_id="C2", loan_id="L2")
    [unassignable] = await dispatch.wait_emitted("dispatch.visit_unassignable", visit_id=second)
    assert unassignable["data"]["reason"] == "not_enough_collectors"  # only C has a visit left that day

    # The next day their capacity is whole again.
    third, team = await assigned_visit(dispatch, "R3", customer_id="C3", loan_id="L3",
                                       day=TOMORROW + timedelta(days=1))
    assert set(team) == {ids["A"], ids["B"]}


async def test_the_team_size_is_configurable(stack):
    async with running_dispatch(stack, collectors_per_visit=1) as dispatch:
        ids = await roster(dispatch)
        await dispatch.tick(at(TODAY, 10))
        _, team = await assigned_visit(dispatch, "R1")
        assert team == [ids["A"]]


async def test_a_repeated_visit_request_makes_one_visit(dispatch):
    await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    request = visit_requested("R-dup", customer_id="C1", loan_id="L1")
    await dispatch.send_outreach(request, request)
    # The same request again under another event id (outreach re-sent it): still the same visit.
    await dispatch.send_outreach(visit_requested("R-dup", customer_id="C1", loan_id="L1", event_id="another-id"))
    # A marker on the same key (one partition, in order): once it is scheduled, the copies were handled.
    await dispatch.send_outreach(visit_requested("R-marker", customer_id="C1", loan_id="L2", start=(17, 0),
                                                 end=(19, 0)))
    await dispatch.wait_emitted("dispatch.visit_scheduled", visit_request_id="R-marker")
    await dispatch.all_published()

    assert len(await dispatch.query("SELECT 1 FROM visits WHERE visit_request_id = 'R-dup'")) == 1
    [scheduled] = await dispatch.emitted("dispatch.visit_scheduled", visit_request_id="R-dup")
    visit_id = scheduled["data"]["visit_id"]
    assert len(await dispatch.emitted("dispatch.visit_assigned", visit_id=visit_id)) == 1
    assert not await dispatch.emitted("dispatch.visit_unassignable", visit_id=visit_id)


# --- cancellation -------------------------------------------------------------------------------


async def test_a_cured_loan_cancels_its_visit_and_a_complaint_cancels_every_visit_of_the_customer(dispatch):
    await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    on_l1 = await dispatch.request_visit("R1", customer_id="C1", loan_id="L1", start=(10, 0), end=(12, 0))
    on_l2 = await dispatch.request_visit("R2", customer_id="C1", loan_id="L2", start=(14, 0), end=(16, 0))
    other = await dispatch.request_visit("R3", customer_id="C2", loan_id="L3", start=(17, 0), end=(19, 0))
    for visit_id in (on_l1, on_l2, other):
        assert (await dispatch.visit(visit_id))["status"] == "assigned"

    await dispatch.send_delinquency(loan_cured("L1", "C1"))
    [cancelled] = await dispatch.wait_emitted("dispatch.visit_cancelled", visit_id=on_l1)
    assert cancelled["data"]["reason"] == "loan_cured"
    assert (cancelled["data"]["loan_id"], cancelled["data"]["customer_id"]) == ("L1", "C1")
    assert (await dispatch.visit(on_l1))["status"] == "cancelled"
    assert (await dispatch.visit(on_l2))["status"] == "assigned", "the cure of L1 cancelled a visit for L2"

    await dispatch.send_outreach(complaint_opened("CP1", "C1", at(TODAY, 11)))
    [cancelled] = await dispatch.wait_emitted("dispatch.visit_cancelled", visit_id=on_l2)
    assert cancelled["data"]["reason"] == "complaint_opened"
    assert (await dispatch.visit(on_l2))["status"] == "cancelled"
    assert (await dispatch.visit(other))["status"] == "assigned", "a complaint by C1 cancelled C2's visit"

    await dispatch.all_published()
    assert len(await dispatch.emitted("dispatch.visit_cancelled", visit_id=on_l1)) == 1
    assert not await dispatch.emitted("dispatch.visit_cancelled", visit_id=other)


# --- at the door --------------------------------------------------------------------------------


async def test_at_the_door_an_assigned_collector_checks_in_inside_the_window_and_reports_negotiated_terms(dispatch):
    await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")
    lead = team[0]
    lead_token = collector_token(lead)
    position = {"latitude": VISIT_POINT[0], "longitude": VISIT_POINT[1]}

    status, body = await dispatch.post(f"/visits/{visit_id}/check-in", {"collector_id": lead, "position": position},
                                       lead_token)
    assert status == 409, f"a check-in the day before the window was accepted: {body}"

    await dispatch.tick(at(TOMORROW, 14, 30))
    status, body = await dispatch.post(f"/visits/{visit_id}/check-in", {"collector_id": lead, "position": position},
                                       PORTAL)
    assert status == 403, body
    status, body = await dispatch.post(f"/visits/{visit_id}/check-in", {"collector_id": lead}, lead_token)
    assert status == 400 and any(p["field"] == "position" for p in body["problems"]), body

    status, body = await dispatch.post(f"/visits/{visit_id}/check-in", {"collector_id": lead, "position": position},
                                       lead_token)
    assert status == 200, body
    [checked_in] = await dispatch.wait_emitted("dispatch.visit_checked_in", visit_id=visit_id)
    assert checked_in["data"]["collector_id"] == lead
    assert instant(checked_in["data"]["checked_in_at"]) == at(TOMORROW, 14, 30)
    assert (await dispatch.visit(visit_id))["status"] == "checked_in"

    outcome = {"collector_id": lead, "outcome": "negotiated", "evidence": ["rec-1", "photo-1"],
               "notes": "Borrower agreed to three instalments."}
    status, body = await dispatch.post(f"/visits/{visit_id}/outcome", outcome, lead_token)
    assert status == 400, f"a negotiated outcome without terms was accepted: {body}"
    status, body = await dispatch.post(f"/visits/{visit_id}/outcome",
                                       {**outcome, "outcome": "refused", "terms": TERMS}, lead_token)
    assert status == 400, f"terms with an outcome that is not negotiated were accepted: {body}"
    status, body = await dispatch.post(f"/visits/{visit_id}/outcome",
                                       {**outcome, "terms": {**TERMS, "instalments": []}}, lead_token)
    assert status == 400, f"terms without instalments were accepted: {body}"
    assert (await dispatch.visit(visit_id))["status"] == "checked_in"

    status, body = await dispatch.post(f"/visits/{visit_id}/outcome", {**outcome, "terms": TERMS}, lead_token)
    assert status == 200, body
    [completed] = await dispatch.wait_emitted("dispatch.visit_completed", visit_id=visit_id)
    data = completed["data"]
    assert (data["outcome"], data["collector_id"], data["loan_id"]) == ("negotiated", lead, "L1")
    assert data["terms"] == TERMS and data["evidence"] == ["rec-1", "photo-1"]
    assert instant(data["completed_at"]) == at(TOMORROW, 14, 30)
    row = await dispatch.visit(visit_id)
    assert row["status"] == "completed" and row["outcome"] == "negotiated"

    # A visit done is not a no-show when its window ends, nor cancelled by a cure that comes after it.
    await dispatch.tick(at(TOMORROW, 16, 30))
    cured = loan_cured("L1", "C1", business_date=TOMORROW)
    await dispatch.send_delinquency(cured)
    await dispatch.processed(cured[1])
    await dispatch.all_published()
    assert not await dispatch.emitted("dispatch.visit_missed", visit_id=visit_id)
    assert not await dispatch.emitted("dispatch.visit_cancelled", visit_id=visit_id)
    assert (await dispatch.visit(visit_id))["status"] == "completed"


async def door(dispatch):
    """A visit assigned tomorrow 14:00-16:00, the clock inside its window; check-in and report calls."""
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")
    await dispatch.tick(at(TOMORROW, 14, 30))
    position = {"latitude": VISIT_POINT[0], "longitude": VISIT_POINT[1]}

    async def check_in(collector_id: str, visit: str = visit_id):
        return await dispatch.post(f"/visits/{visit}/check-in", {"collector_id": collector_id, "position": position},
                                   collector_token(collector_id))

    async def report(collector_id: str, visit: str = visit_id):
        return await dispatch.post(f"/visits/{visit}/outcome", {"collector_id": collector_id, "outcome": "not_home"},
                                   collector_token(collector_id))

    return ids, visit_id, team, check_in, report


async def test_only_a_collector_on_the_visit_checks_in_or_reports_its_outcome(dispatch):
    ids, visit_id, team, check_in, report = await door(dispatch)

    for outsider in (ids["C"], ids["U"]):
        status, body = await check_in(outsider)
        assert status == 403, f"a collector not on the visit checked in: {body}"
    row = await dispatch.visit(visit_id)
    assert (row["status"], row["checked_in_by"]) == ("assigned", None), "a refused check-in changed the visit"
    status, body = await check_in(team[0], "visit-nothing")
    assert status == 404, body
    status, body = await report(team[0], "visit-nothing")
    assert status == 404, body

    status, body = await check_in(team[1])  # either member of the team may check in
    assert status == 200, body
    status, body = await report(ids["C"])
    assert status == 403, f"a collector not on the visit reported its outcome: {body}"
    assert (await dispatch.visit(visit_id))["status"] == "checked_in"

    await dispatch.all_published()
    [checked_in] = await dispatch.emitted("dispatch.visit_checked_in", visit_id=visit_id)
    assert checked_in["data"]["collector_id"] == team[1]
    assert not await dispatch.emitted("dispatch.visit_completed", visit_id=visit_id)


async def test_a_collectors_token_acts_only_for_that_collector(dispatch):
    _, visit_id, team, _, _ = await door(dispatch)
    position = {"latitude": VISIT_POINT[0], "longitude": VISIT_POINT[1]}
    lead, partner = team

    for token, expected in ((collector_token(partner), "not_your_token"), (COLLECTOR, "token_not_bound")):
        status, body = await dispatch.post(f"/visits/{visit_id}/check-in",
                                           {"collector_id": lead, "position": position}, token)
        assert (status, body["error"]) == (403, expected), body
        status, body = await dispatch.get(f"/collectors/{lead}/route?date={TOMORROW.isoformat()}", token)
        assert (status, body["error"]) == (403, expected), body
    assert (await dispatch.visit(visit_id))["status"] == "assigned"

    status, body = await dispatch.post(f"/visits/{visit_id}/check-in", {"collector_id": lead, "position": position},
                                       SUPERVISOR)  # a supervisor may record it for the team
    assert status == 200, body
    status, body = await dispatch.post(f"/visits/{visit_id}/outcome", {"collector_id": lead, "outcome": "not_home"},
                                       collector_token(partner))
    assert (status, body["error"]) == (403, "not_your_token"), body
    status, body = await dispatch.post(f"/visits/{visit_id}/outcome", {"collector_id": lead, "outcome": "not_home"},
                                       collector_token(lead))
    assert status == 200, body


async def test_the_door_goes_in_order_check_in_once_then_one_outcome(dispatch):
    _, visit_id, team, check_in, report = await door(dispatch)

    status, body = await report(team[0])
    assert status == 409, f"an outcome before anyone checked in: {body}"
    assert (await dispatch.visit(visit_id))["status"] == "assigned"

    status, body = await check_in(team[0])
    assert status == 200, body
    status, body = await check_in(team[1])
    assert status == 409, f"a second check-in: {body}"
    status, body = await report(team[0])
    assert status == 200, body
    status, body = await report(team[1])
    assert status == 409, f"a second outcome for a visit already completed: {body}"

    await dispatch.all_published()
    assert len(await dispatch.emitted("dispatch.visit_checked_in", visit_id=visit_id)) == 1
    [completed] = await dispatch.emitted("dispatch.visit_completed", visit_id=visit_id)
    assert (completed["data"]["collector_id"], completed["data"]["outcome"]) == (team[0], "not_home")
    assert completed["data"]["terms"] is None


async def test_a_no_show_is_reported_back_to_outreach_to_agree_a_new_time(dispatch):
    await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, _ = await assigned_visit(dispatch, "R1")

    await dispatch.tick(at(TOMORROW, 15))  # inside the window: nothing missed yet
    await dispatch.all_published()
    assert not await dispatch.emitted("dispatch.visit_missed", visit_id=visit_id)

    await dispatch.tick(at(TOMORROW, 16, 5))
    [missed] = await dispatch.wait_emitted("dispatch.visit_missed", visit_id=visit_id)
    assert missed["data"]["replanned"] is False
    [cancelled] = await dispatch.wait_emitted("dispatch.visit_cancelled", visit_id=visit_id)
    assert cancelled["data"]["reason"] == "no_show_reported"
    assert (await dispatch.visit(visit_id))["status"] == "cancelled"

    await dispatch.tick(at(TOMORROW + timedelta(days=2), 16, 5))  # nothing more once reported
    await dispatch.all_published()
    assert len(await dispatch.emitted("dispatch.visit_missed", visit_id=visit_id)) == 1
    assert not await dispatch.emitted("dispatch.visit_reassigned", visit_id=visit_id)


# --- the roster changes under planned visits ----------------------------------------------------


async def test_deactivating_an_assigned_collector_reassigns_the_visit_then_leaves_it_unassignable(dispatch):
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")
    assert set(team) == {ids["A"], ids["B"]}

    status, body = await dispatch.post(f"/collectors/{ids['A']}/deactivate", {}, SUPERVISOR)
    assert status == 200 and body["reassigned_visits"] == 1, body
    [reassigned] = await dispatch.wait_emitted("dispatch.visit_reassigned", visit_id=visit_id)
    data = reassigned["data"]
    assert ids["A"] not in data["collector_ids"] and set(data["collector_ids"]) == {ids["B"], ids["C"]}
    assert data["previous_collector_ids"] == team and data["reason"].startswith("collector_")
    assert_inside_window(data["planned_arrival"], at(TOMORROW, 14), at(TOMORROW, 16))
    assert not (await dispatch.query("SELECT active FROM collectors WHERE collector_id = $1", ids["A"]))[0]["active"]
    status, route = await dispatch.get(f"/collectors/{ids['C']}/route?date={TOMORROW.isoformat()}", SUPERVISOR)
    assert [s["visit_id"] for s in route["stops"]] == [visit_id], route

    status, body = await dispatch.post(f"/collectors/{ids['B']}/deactivate", {}, SUPERVISOR)
    assert status == 200, body
    [unassignable] = await dispatch.wait_emitted("dispatch.visit_unassignable", visit_id=visit_id)
    assert unassignable["data"]["reason"] == "not_enough_collectors"
    row = await dispatch.visit(visit_id)
    assert row["status"] == "unassignable" and list(row["collector_ids"]) == []


async def test_a_visit_reassigned_once_its_window_has_begun_is_planned_from_now_not_in_the_past(dispatch):
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")
    now = at(TOMORROW, 14, 30)
    await dispatch.tick(now)  # the window opened half an hour ago; nobody has checked in yet

    status, body = await dispatch.post(f"/collectors/{ids['A']}/deactivate", {}, SUPERVISOR)
    assert status == 200 and body["reassigned_visits"] == 1, body
    [reassigned] = await dispatch.wait_emitted("dispatch.visit_reassigned", visit_id=visit_id)
    arrival = instant(reassigned["data"]["planned_arrival"])
    assert arrival >= now, f"the new team is planned to arrive at {arrival}, before now ({now})"
    assert_inside_window(reassigned["data"]["planned_arrival"], at(TOMORROW, 14), at(TOMORROW, 16))


async def test_a_collector_whose_certification_lapses_before_the_visit_loses_it(dispatch):
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")

    lapsed = collector_body("Collector A", home=NEARER, certified_until=TODAY)
    status, body = await dispatch.put(f"/collectors/{team[0]}", lapsed, SUPERVISOR)
    assert status == 200 and body["reassigned_visits"] == 1, body
    [reassigned] = await dispatch.wait_emitted("dispatch.visit_reassigned", visit_id=visit_id)
    assert team[0] not in reassigned["data"]["collector_ids"]
    assert reassigned["data"]["reason"] == "collector_not_certified"
    assert ids["U"] not in reassigned["data"]["collector_ids"] and ids["O"] not in reassigned["data"]["collector_ids"]


async def test_every_reassignment_is_announced_under_its_own_event_id(dispatch):
    """Consumers drop an event id seen before: a second, different re-assignment under the id of an
    earlier one is lost to them, and they go on believing the earlier team is at the door."""
    ids = await roster(dispatch)
    await dispatch.tick(at(TODAY, 10))
    visit_id, team = await assigned_visit(dispatch, "R1")
    assert set(team) == {ids["A"], ids["B"]}
    bodies = {"A": collector_body("Collector A", home=NEARER), "C": collector_body("Collector C", home=FAR)}

    async def change(path: str, body: dict, method: str = "post") -> None:
        status, answer = await getattr(dispatch, method)(path, body, SUPERVISOR)
        assert status == 200, answer

    await change(f"/collectors/{ids['A']}/deactivate", {})  # A, B -> B, C
    await change(f"/collectors/{ids['A']}", bodies["A"], "put")  # A back; the visit stays with B, C
    await change(f"/collectors/{ids['C']}/deactivate", {})  # B, C -> A, B
    await change(f"/collectors/{ids['C']}", bodies["C"], "put")  # C back
    await change(f"/collectors/{ids['A']}/deactivate", {})  # A, B -> B, C again
    await dispatch.all_published()

    reassigned = await dispatch.emitted("dispatch.visit_reassigned", visit_id=visit_id)
    teams = [sorted(e["data"]["collector_ids"]) for e in reassigned]
    assert teams == [sorted([ids["B"], ids["C"]]), sorted([ids["A"], ids["B"]]), sorted([ids["B"], ids["C"]])]
    event_ids = [e["id"] for e in reassigned]
    assert len(set(event_ids)) == len(event_ids), (
        f"different re-assignments share an event id (downstream inboxes drop the later one): {event_ids}")
    assert sorted((await dispatch.visit(visit_id))["collector_ids"]) == sorted([ids["B"], ids["C"]])
