"""The HTTP edge of all four services under hostile requests: every route x every probe.

Each service runs once, with a little real state (a loan, a case with a contact attempt and a visit offer,
a roster and a visit, a proposed agreement), and then takes a matrix of probes on every route: no token, a
token that is not one, the wrong role, the wrong subject (a borrower's or a collector's token naming
someone else), a personal role's token bound to nobody, ids that are not ids in every path parameter (NUL,
200 characters, path traversal, control characters, spaces, non-ASCII), dates outside 2000-01-01..2100-01-01
or not dates at all in the query, bodies of 2 MiB, bodies that are not JSON and bodies carrying bad ids or
dates. Every probe must be refused with its own 4xx and code, none may answer 5xx, and nothing may change:
a snapshot of every table of the service's database (row count and a digest of the rows) is equal before
and after the probes.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import yarl

from shared.events import base as contracts
from shared.web import EARLIEST_DATE, END_DATE, ID_PATTERN, is_id, parse_tokens
from tests.helpers import agreement as agreements
from tests.helpers import dispatch as dispatches
from tests.helpers import outreach as outreaches
from tests.helpers.loan_events import originated, tick_closing
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.waiting import eventually

# --- the probes ------------------------------------------------------------------------------------

NOT_IDS = {  # as they appear in the URL (already percent-encoded)
    "nul": "L1%00",
    "nul_alone": "%00",
    "overlong": "a" * 200,
    "traversal": "..%2F..%2Fetc%2Fpasswd",
    "dot_dot": "%2E%2E",
    "newline": "a%0Ab",
    "trailing_newline": "a%0A",
    "space": "a%20b",
    "non_ascii": "%C3%A9",
    "percent": "a%25b",
    "leading_dash": "-a",
}
BAD_DATES = {  # query strings
    "far_future": "date=9999-12-31",
    "far_future_on": "on=9999-12-31",
    "year_one": "on=0001-01-01",
    "just_before": "date=1999-12-31",
    "window_end": "on=2100-01-01",  # the window ends before it, as the contracts' BusinessDate does
    "not_a_date": "on=not-a-date",
    "twice": "date=2026-03-02&date=9999-12-31",
}
TWO_MIB = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'

# Tokens of each kind, the same names in every service (each service gets them all; roles it does not
# serve are simply the wrong role there).
TOKENS = ",".join([
    "e-sup:supervisor:S-7", "e-sup-unbound:supervisor", "e-dialer:dialer", "e-observer:observer",
    "e-portal-C1:customer_portal:C1", "e-portal-C2:customer_portal:C2", "e-portal-unbound:customer_portal",
    "e-col-A:collector:col-A", "e-col-B:collector:col-B", "e-col-unbound:collector",
])
SUP, SUP_UNBOUND, DIALER, OBSERVER = "e-sup", "e-sup-unbound", "e-dialer", "e-observer"
PORTAL_C1, PORTAL_C2, PORTAL_UNBOUND = "e-portal-C1", "e-portal-C2", "e-portal-unbound"
COL_A, COL_B, COL_UNBOUND = "e-col-A", "e-col-B", "e-col-unbound"


@dataclass(frozen=True)
class Route:
    """One route with real ids, a token it accepts and the refusals specific to it."""
    method: str
    template: str  # e.g. /loans/{loan_id}/statement
    ids: dict[str, str]  # real ids for the path parameters
    allowed: str  # a token the route accepts, for the id, date and body probes
    wrong_role: str
    body: dict[str, Any] | None = None  # a body of the right shape (None: the route reads none)
    wrong_subject: tuple[str, str] | None = None  # (token, code) of a personal token naming someone else
    unbound: tuple[str, ...] = ()  # personal tokens bound to nobody, refused with token_not_bound
    bad_bodies: dict[str, tuple[dict[str, Any], int, str]] = field(default_factory=dict)  # name: (body, status, code)
    query: str = ""  # what the route needs in its query string, if anything

    def path(self, *, query: str | None = None, **replace: str) -> str:
        query = self.query if query is None else query
        return self.template.format(**(self.ids | replace)) + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Probe:
    route: str
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    code: str


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def probes(route: Route) -> list[Probe]:
    label = f"{route.method} {route.template}"
    body = json.dumps(route.body).encode() if route.body is not None else None
    made = []

    def probe(name: str, status: int, code: str, *, path: str | None = None, headers: dict[str, str] | None = None,
              payload: bytes | None = body) -> None:
        made.append(Probe(label, name, route.method, path or route.path(), headers if headers is not None else {},
                          payload, status, code))

    probe("no_token", 401, "unauthorized")
    probe("unknown_token", 401, "unauthorized", headers=bearer("not-a-token"))
    probe("token_prefix", 401, "unauthorized", headers=bearer(route.allowed[:-1]))
    probe("not_bearer", 401, "unauthorized", headers={"Authorization": f"Basic {route.allowed}"})
    probe("wrong_role", 403, "forbidden", headers=bearer(route.wrong_role))
    if route.wrong_subject:
        token, code = route.wrong_subject
        probe("wrong_subject", 403, code, headers=bearer(token))
    for token in route.unbound:
        probe(f"unbound:{token}", 403, "token_not_bound", headers=bearer(token))
    for parameter in route.ids:
        for name, bad in NOT_IDS.items():
            probe(f"{parameter}:{name}", 400, "invalid_id", path=route.path(**{parameter: bad}),
                  headers=bearer(route.allowed))
    for name, query in BAD_DATES.items():
        probe(f"query:{name}", 400, "invalid_date", path=route.path(query=query), headers=bearer(route.allowed))
    if route.body is not None:
        probe("two_mib_body", 413, "request_entity_too_large", headers=bearer(route.allowed), payload=TWO_MIB)
        probe("not_json", 400, "invalid_request", headers=bearer(route.allowed), payload=b"{not json")
        probe("nul_in_body", 400, "invalid_request", headers=bearer(route.allowed), payload=b'{"\x00": 1}')
        for name, (bad, status, code) in route.bad_bodies.items():
            probe(f"body:{name}", status, code, headers=bearer(route.allowed), payload=json.dumps(bad).encode())
    return made


async def run_matrix(service, routes: list[Route]) -> int:
    """Every probe on every route; asserts each answer and that nothing changed. Returns the probe count."""
    matrix = [p for route in routes for p in probes(route)]
    await service.all_published()
    before = await snapshot(service)
    wrong = []
    base = f"http://127.0.0.1:{service.runtime.http_port}"
    async with aiohttp.ClientSession() as session:
        for p in matrix:
            headers = dict(p.headers)
            if p.body is not None:
                headers["Content-Type"] = "application/json"
            async with session.request(p.method, yarl.URL(base + p.path, encoded=True), headers=headers,
                                       data=p.body) as response:
                text = await response.text()
            try:
                code = json.loads(text).get("error")
            except ValueError:
                code = None
            if response.status >= 500 or (response.status, code) != (p.status, p.code):
                wrong.append(f"{p.route} [{p.name}]: {response.status} {text[:160]} (expected {p.status} {p.code})")
    await service.all_published()
    after = await snapshot(service)
    assert not wrong, f"{len(wrong)} of {len(matrix)} probes answered wrongly:\n" + "\n".join(wrong)
    changed = {table: (before.get(table), after.get(table)) for table in before.keys() | after.keys()
               if before.get(table) != after.get(table)}
    assert not changed, f"refused requests changed the service's state: {changed}"
    return len(matrix)


async def snapshot(service) -> dict[str, tuple[int, str]]:
    """Per table of the service's database: its row count and an md5 of its rows in a fixed order."""
    tables = [r["tablename"] for r in await service.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]
    result = {}
    for table in tables:
        [row] = await service.query(
            f'SELECT count(*) AS n, md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) AS digest'
            f' FROM "{table}" t')
        result[table] = (row["n"], row["digest"])
    return result


# --- the pure parts --------------------------------------------------------------------------------


def test_the_id_pattern_admits_every_id_the_system_makes_and_nothing_that_could_break_out():
    made = ["C1", "L1", "CU7-0000001", "LN7-0000001-1", "BENCH-LN7-0000001-1", "LN7-0000001-1-F0000001",
            "col-A", "agr-visit-1", "visit-req-1", "case-L1", "promise-3f2c", "referral-case-1",
            "c9f1f1d2-8b7e-5d1c-9a55-0b0c1f9d2e11", "user@example", "urn:loan:1", "a" * 128]
    assert all(is_id(i) for i in made)
    hostile = ["", "a" * 129, "a\x00", "\x00", "../etc", "..", ".hidden", "a/b", "a\\b", "a b", "a\n", "a\nb", "é",
               "a%00", "-a", "a;b", "a'b", 'a"b', "a?b", "a#b"]
    assert not any(is_id(i) for i in hostile)
    assert ID_PATTERN == r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
    # what HTTP accepts, the event contracts accept: an id or a date taken at the edge can always be emitted
    assert (ID_PATTERN, EARLIEST_DATE, END_DATE) == (contracts.ID_PATTERN, contracts.EARLIEST_DATE,
                                                     contracts.END_DATE)


def test_tokens_are_found_by_comparing_with_every_configured_token_not_by_a_dictionary_lookup():
    tokens = parse_tokens("t-a:supervisor:S-1, t-b:customer_portal:C1,t-c:dialer")
    assert not isinstance(tokens, dict)
    assert tokens.principal("t-a").role == "supervisor" and tokens.principal("t-a").subject == "S-1"
    assert tokens.principal("t-b").subject == "C1" and tokens.principal("t-c").subject is None
    for presented in ("", "t-", "t-a ", "T-A", "t-ab", "t-\udcff", "t-é", "t-a\x00"):
        assert tokens.principal(presented) is None, presented
    with pytest.raises(ValueError):
        parse_tokens("t-x:customer_portal:../C1")  # a subject must be an id like any other
    with pytest.raises(ValueError):
        parse_tokens("t-x")


# --- overdue detection -----------------------------------------------------------------------------

SCHEDULE = [(date(2026, 2, 5), 10_000), (date(2026, 3, 5), 10_000), (date(2026, 4, 5), 10_000)]


async def test_overdue_refuses_every_probe_on_every_route_and_a_borrower_reads_only_their_own_loans(stack):
    async with OverdueUnderTest.running(stack, api_tokens=TOKENS) as overdue:
        await overdue.send(originated("L1", "C1", SCHEDULE, date(2026, 1, 5)),
                           originated("L2", "C2", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))

        async def closed():
            clock = await overdue.clock()
            return clock is not None and clock["last_closed_date"] == date(2026, 2, 10)

        await eventually(closed, what="business date 2026-02-10 closed")
        statement = Route("GET", "/loans/{loan_id}/statement", {"loan_id": "L1"}, allowed=SUP, wrong_role=OBSERVER,
                          wrong_subject=(PORTAL_C2, "not_your_customer"), unbound=(PORTAL_UNBOUND,))
        assert await run_matrix(overdue, [statement]) == 25

        # the borrower's own statement, and staff read any; the window's ends are dates like any other
        for token in (PORTAL_C1, SUP, DIALER, COL_UNBOUND):
            status, body = await overdue.get("/loans/L1/statement?on=2026-02-10", token)
            assert status == 200 and body["loan_id"] == "L1", (token, body)
        assert (await overdue.get("/loans/L2/statement", PORTAL_C2))[0] == 200
        for on in ("2000-01-01", "2099-12-31"):
            assert (await overdue.get(f"/loans/L1/statement?on={on}", PORTAL_C1))[0] == 200, on
        # an unknown loan is still a 404 (a borrower's token learns nothing more)
        assert (await overdue.get("/loans/L9/statement", PORTAL_C1))[0] == 404


# --- outreach --------------------------------------------------------------------------------------

DAY = outreaches.OVERDUE_DAY + timedelta(days=1)


async def test_outreach_refuses_every_probe_on_every_route_and_a_borrower_acts_only_for_themself(stack):
    async with outreaches.running_outreach(stack, api_tokens=TOKENS) as outreach:
        # C1: a case on its visit step, whose offer went out by SMS (a contact attempt, a visit offer)
        await outreach.borrower("L1", "C1")
        await outreach.borrower("L2", "C2")
        await outreach.tick(outreaches.at(DAY, 9))
        case_id = outreaches.champion_case_id("edge")
        await outreach.send_delinquency(outreaches.became_overdue("L1", "C1", case_id))
        await eventually(lambda: outreach.query("SELECT 1 FROM cases WHERE case_id = $1", case_id), what="case")
        await outreach.execute("UPDATE cases SET variant = 'champion', ladder = 'early', step_index = 2,"
                               " step_attempts = 0 WHERE case_id = $1", case_id)
        await outreach.tick(outreaches.at(DAY, 10))
        [attempt] = await outreach.wait_attempts("C1", 1)
        await outreach.wait_dispatched(attempt["attempt_id"])
        status, complaint = await outreach.post("/complaints", {"customer_id": "C2", "category": "other",
                                                                "description": "edge"}, SUP)
        assert status == 201, complaint

        complaint_body = {"customer_id": "C1", "category": "conduct", "description": "x"}
        routes = [
            Route("POST", "/contact-attempts/{attempt_id}/outcome", {"attempt_id": attempt["attempt_id"]},
                  allowed=DIALER, wrong_role=PORTAL_C1, body={"outcome": "delivered"}, bad_bodies={
                      "promise_far_future": ({"outcome": "promise_to_pay", "promise": {
                          "amount": 1, "due_date": "9999-12-31"}}, 400, "invalid_request"),
                      "promise_year_one": ({"outcome": "promise_to_pay", "promise": {
                          "amount": 1, "due_date": "0001-01-01"}}, 400, "invalid_request"),
                      "promise_window_end": ({"outcome": "promise_to_pay", "promise": {
                          "amount": 1, "due_date": "2100-01-01"}}, 400, "invalid_request"),
                      "promise_amount_huge": ({"outcome": "promise_to_pay", "promise": {
                          "amount": 10**20, "due_date": "2026-03-01"}}, 400, "invalid_request")}),
            Route("POST", "/customers/{customer_id}/preferences", {"customer_id": "C1"}, allowed=SUP,
                  wrong_role=DIALER, body={"stop_contact": True}, wrong_subject=(PORTAL_C2, "not_your_customer"),
                  unbound=(PORTAL_UNBOUND,)),
            Route("POST", "/complaints", {}, allowed=SUP, wrong_role=DIALER, body=complaint_body,
                  wrong_subject=(PORTAL_C2, "not_your_customer"), unbound=(PORTAL_UNBOUND,), bad_bodies={
                      f"customer_id_{name}": (complaint_body | {"customer_id": bad}, 400, "invalid_request")
                      for name, bad in (("nul", "C1\x00"), ("traversal", "../C1"), ("overlong", "C" * 200),
                                        ("newline", "C1\n"), ("empty", ""))}
                  | {"description_nul": (complaint_body | {"description": "a\x00b"}, 400, "invalid_request")}),
            Route("POST", "/complaints/{complaint_id}/resolve", {"complaint_id": complaint["complaint_id"]},
                  allowed=SUP, wrong_role=PORTAL_C2, body={"resolution": "upheld"}),
            Route("POST", "/customers/{customer_id}/visit-confirmation", {"customer_id": "C1"}, allowed=SUP,
                  wrong_role=OBSERVER, body={"slot": 1}, wrong_subject=(PORTAL_C2, "not_your_customer"),
                  unbound=(PORTAL_UNBOUND,), bad_bodies={
                      "offer_id_traversal": ({"slot": 1, "offer_id": "../x"}, 400, "invalid_request"),
                      "offer_id_nul": ({"slot": 1, "offer_id": "x\x00"}, 400, "invalid_request")}),
            Route("GET", "/customers/{customer_id}/contact-history", {"customer_id": "C1"}, allowed=SUP,
                  wrong_role=DIALER, wrong_subject=(PORTAL_C2, "not_your_customer"), unbound=(PORTAL_UNBOUND,)),
        ]
        assert await run_matrix(outreach, routes) == 162

        # a borrower acts for themself: reads their history, sets their preferences, complains
        status, history = await outreach.get("/customers/C1/contact-history", PORTAL_C1)
        assert status == 200 and [c["id"] for c in history["contacts"]] == [attempt["attempt_id"]], history
        status, body = await outreach.post("/customers/C2/preferences", {"preferred_channel": "sms"}, PORTAL_C2)
        assert status == 200, body
        status, body = await outreach.post("/complaints", complaint_body, PORTAL_C1)
        assert status == 201, body


# --- visit dispatch --------------------------------------------------------------------------------


async def test_dispatch_refuses_every_probe_on_every_route_and_a_collector_acts_only_as_themself(stack):
    async with dispatches.running_dispatch(stack, api_tokens=TOKENS) as dispatch:
        await dispatch.tick(dispatches.at(dispatches.TODAY, 10))
        for name, home in (("A", dispatches.NEARER), ("B", dispatches.NEAR)):
            status, body = await dispatch.put(f"/collectors/col-{name}", dispatches.collector_body(name, home=home),
                                              SUP)
            assert status == 201, body
        visit_id = await dispatch.request_visit("R1", customer_id="C1", loan_id="L1")
        await dispatch.wait_emitted("dispatch.visit_assigned", visit_id=visit_id)

        position = {"latitude": dispatches.VISIT_POINT[0], "longitude": dispatches.VISIT_POINT[1]}
        check_in = {"collector_id": "col-A", "position": position}
        outcome = {"collector_id": "col-A", "outcome": "not_home"}
        entry = dispatches.collector_body("Z")
        tomorrow = dispatches.TOMORROW.isoformat()
        routes = [
            Route("POST", "/collectors", {}, allowed=SUP, wrong_role=COL_A, body=entry, bad_bodies={
                "name_5000": (entry | {"name": "n" * 5000}, 400, "invalid_request"),
                "name_nul": (entry | {"name": "n\x00"}, 400, "invalid_request"),
                "territory_nul": (entry | {"territory": ["Shanghai\x00"]}, 400, "invalid_request"),
                "skills_nul": (entry | {"skills": ["zh\x00"]}, 400, "invalid_request")}),
            Route("PUT", "/collectors/{collector_id}", {"collector_id": "col-A"}, allowed=SUP, wrong_role=COL_A,
                  body=entry),
            Route("POST", "/collectors/{collector_id}/deactivate", {"collector_id": "col-A"}, allowed=SUP,
                  wrong_role=COL_A),  # reads no body
            Route("GET", "/collectors/{collector_id}/route", {"collector_id": "col-A"}, allowed=SUP,
                  wrong_role=PORTAL_C1, wrong_subject=(COL_B, "not_your_token"), unbound=(COL_UNBOUND,),
                  query=f"date={tomorrow}"),
            Route("POST", "/visits/{visit_id}/check-in", {"visit_id": visit_id}, allowed=SUP, wrong_role=PORTAL_C1,
                  body=check_in, wrong_subject=(COL_B, "not_your_token"), unbound=(COL_UNBOUND,), bad_bodies={
                      "collector_id_nul": (check_in | {"collector_id": "col-A\x00"}, 400, "invalid_request"),
                      "collector_id_traversal": (check_in | {"collector_id": "../col-A"}, 400, "invalid_request")}),
            Route("POST", "/visits/{visit_id}/outcome", {"visit_id": visit_id}, allowed=SUP, wrong_role=PORTAL_C1,
                  body=outcome, wrong_subject=(COL_B, "not_your_token"), unbound=(COL_UNBOUND,), bad_bodies={
                      "collector_id_overlong": (outcome | {"collector_id": "c" * 200}, 400, "invalid_request"),
                      "notes_nul": (outcome | {"notes": "a\x00b"}, 400, "invalid_request"),
                      "evidence_overlong": (outcome | {"evidence": ["e" * 300]}, 400, "invalid_request"),
                      "evidence_nul": (outcome | {"evidence": ["rec\x00"]}, 400, "invalid_request")}),
        ]
        assert await run_matrix(dispatch, routes) == 155
        # PUT /collectors/{id} with 5,000 characters of id
        status, body = await dispatch.put("/collectors/" + "c" * 5000, entry, SUP)
        assert (status, body["error"]) == (400, "invalid_id"), body
        assert not await dispatch.query("SELECT 1 FROM collectors WHERE length(collector_id) > 128")

        # a collector reads their own route; the window's last day is a day like any other
        status, route = await dispatch.get(f"/collectors/col-A/route?date={tomorrow}", COL_A)
        assert status == 200 and route["collector_id"] == "col-A", route
        status, route = await dispatch.get("/collectors/col-A/route?date=2099-12-31", COL_A)
        assert status == 200 and route["stops"] == [], route


# --- agreement tracking ----------------------------------------------------------------------------

FIRST_DUE = agreements.TODAY + timedelta(days=7)


async def test_agreement_refuses_every_probe_on_every_route_and_the_token_says_who_approves_and_signs(stack):
    async with agreements.running_agreement(stack, api_tokens=TOKENS) as agreement:
        await agreement.tick(agreements.at(agreements.TODAY, 9))
        await agreement.open_case("L1", "C1")
        await agreement.open_case("L2", "C2")
        waiver = agreements.POLICY.waiver_supervisor_threshold + 50_000  # waits for a supervisor
        to_pay = agreements.OVERDUE - waiver
        waived = agreements.terms([to_pay - 2 * (to_pay // 3), to_pay // 3, to_pay // 3], FIRST_DUE, waiver=waiver)
        needs_approval = await agreement.propose("L1", waived, SUP)
        # proposed now, signed later by a collector's tablet (see the end)
        await agreement.open_case("L3", "C3")
        await agreement.open_case("L4", "C4")
        tablet = {loan_id: await agreement.propose(loan_id, agreements.terms([agreements.OVERDUE], FIRST_DUE), SUP)
                  for loan_id in ("L2", "L3", "L4")}
        text = (await shown(agreement, needs_approval))["agreement_text"]
        signature = {"method": "e_signature", "text_hash": agreements.sha256(text), "signer": "Zhang Wei"}
        far = agreements.terms([agreements.OVERDUE], date(9999, 12, 1))
        window_end = agreements.terms([agreements.OVERDUE], date(2100, 1, 1))
        proposal = {"loan_id": "L1", "terms": agreements.terms([agreements.OVERDUE], FIRST_DUE)}
        routes = [
            Route("GET", "/customers/{customer_id}/plan-options", {"customer_id": "C1"}, allowed=SUP,
                  wrong_role=DIALER, wrong_subject=(PORTAL_C2, "not_your_customer"), unbound=(PORTAL_UNBOUND,)),
            Route("POST", "/agreements", {}, allowed=SUP, wrong_role=PORTAL_C1, body=proposal, bad_bodies={
                "loan_id_traversal": (proposal | {"loan_id": "../L1"}, 400, "invalid_request"),
                "loan_id_nul": (proposal | {"loan_id": "L1\x00"}, 400, "invalid_request"),
                "loan_id_overlong": (proposal | {"loan_id": "L" * 200}, 400, "invalid_request"),
                "due_far_future": (proposal | {"terms": far}, 400, "invalid_request"),
                "due_window_end": (proposal | {"terms": window_end}, 400, "invalid_request")}),
            Route("POST", "/agreements/{agreement_id}/approve", {"agreement_id": needs_approval}, allowed=SUP,
                  wrong_role=COL_A, body={"supervisor": "somebody-else"}, unbound=(SUP_UNBOUND,)),
            Route("POST", "/agreements/{agreement_id}/sign", {"agreement_id": needs_approval}, allowed=SUP,
                  wrong_role=DIALER, body=signature, wrong_subject=(PORTAL_C2, "not_your_customer"),
                  unbound=(PORTAL_UNBOUND, COL_UNBOUND, SUP_UNBOUND)),
            Route("GET", "/agreements/{agreement_id}", {"agreement_id": needs_approval}, allowed=SUP,
                  wrong_role=DIALER, wrong_subject=(PORTAL_C2, "not_your_customer"), unbound=(PORTAL_UNBOUND,)),
        ]
        assert await run_matrix(agreement, routes) == 127

        # the supervisor who approves is the token's, whatever the body says
        status, body = await agreement.post(f"/agreements/{needs_approval}/approve", {"supervisor": "mallory"}, SUP)
        assert (status, body["status"]) == (200, "approved"), body
        # the borrower reads and signs their own agreement; the signer recorded is the token's holder
        status, mine = await agreement.get(f"/agreements/{needs_approval}", PORTAL_C1)
        assert status == 200 and mine["customer_id"] == "C1", mine
        status, body = await agreement.post(f"/agreements/{needs_approval}/sign", signature | {
            "signed_at": "2026-03-01T00:00:00+08:00"}, PORTAL_C1)
        assert (status, body["status"]) == (200, "active"), body
        signed = await shown(agreement, needs_approval)
        assert signed["signed_by"] == {"kind": "borrower", "id": "C1"}, signed
        assert signed["signature"]["signer"] == "Zhang Wei", signed  # the name signed with, as given
        assert datetime.fromisoformat(signed["signed_at"]) == agreements.at(agreements.TODAY, 9), (
            "a borrower's signed_at must be the service's clock, not the body's")

        # a collector's tablet (proposed at 09:00, the clock now at 12:00): the time its app reports counts
        # when it lies between the proposal and the clock, otherwise the clock's time is recorded
        await agreement.tick(agreements.at(agreements.TODAY, 12))
        at_noon = agreements.at(agreements.TODAY, 12)
        for loan_id, reported, expected in (
                ("L2", agreements.at(agreements.TODAY, 11), agreements.at(agreements.TODAY, 11)),
                ("L3", agreements.at(agreements.TODAY, 13), at_noon),  # later than the service's clock
                ("L4", agreements.at(agreements.TODAY, 8), at_noon)):  # before the proposal
            text = (await shown(agreement, tablet[loan_id]))["agreement_text"]
            status, body = await agreement.post(f"/agreements/{tablet[loan_id]}/sign", {
                "method": "in_person_tablet", "text_hash": agreements.sha256(text),
                "signed_at": reported.isoformat()}, COL_A)
            assert (status, body["status"]) == (200, "active"), body
            signed = await shown(agreement, tablet[loan_id])
            assert signed["signed_by"] == {"kind": "collector", "id": "col-A"}, signed
            assert signed["signature"]["signer"] == "col-A", signed  # no name given: the token's holder
            assert datetime.fromisoformat(signed["signed_at"]) == expected, (loan_id, signed["signed_at"])
            [event] = await agreement.wait_emitted("agreement.signed", agreement_id=tablet[loan_id])
            assert datetime.fromisoformat(event["data"]["signed_at"]) == expected, event


async def shown(agreement, agreement_id: str) -> dict[str, Any]:
    status, body = await agreement.get(f"/agreements/{agreement_id}", SUP)
    assert status == 200, body
    return body
