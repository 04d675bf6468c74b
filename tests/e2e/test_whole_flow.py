"""The whole collection flow end to end: all four services in one process on the real broker and
Postgres, fed by the loan-system simulator (200 customers, 120 days, the clock ticking hourly from
08:00 to 21:00 and at 03:00 and 06:00, as in `make run`), with the sandbox people of `make run`
(outreach's channels and the borrower who answers visit-time offers, dispatch's field team, the
borrower signing at the door) and a roster created through dispatch's API.

One run (the module's fixture, one to two minutes) is read back from the topics by each test:
loans go overdue -> SMS and calls within the rules -> a visit time confirmed -> a visit assigned
and completed with negotiated terms -> an agreement signed -> payments keep it -> fulfilled; and the
unhappy paths: a broken agreement puts outreach back to work, a complaint stops everything, a
payment before the visit cancels it. A path the simulator's data does not produce by a given day
is constructed by publishing the events that make it (noted in `Run.constructed`).
"""
import asyncio
import json
import time as wall
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.agreement.domain.months import add_months
from services.outreach.domain.rulebook import DEFAULT_RULEBOOK_PATH
from shared.events.codec import encode
from shared.events.dispatch import AgreedInstalment, NegotiatedTerms, VisitCompleted
from shared.events.loan import PaymentReceived
from simulator.book import NEVER
from tests.helpers.whole_flow import WholeFlow, instant, portal_token

CUSTOMERS, DAYS = 200, 120
PORTFOLIO_ZONE = ZoneInfo("Asia/Shanghai")
RULEBOOK_VERSION = json.loads(DEFAULT_RULEBOOK_PATH.read_text())["version"]
CONTACT_HOURS = (time(8), time(21))  # the rule book's window, on the borrower's own clock
COMPLAINT_FROM_DAY = 60  # the first day a complaint is filed (for someone with a visit coming, when there is one)
COMPLAINT_BY_DAY = 80  # ... and the day it is filed whatever
CONSTRUCT_BROKEN_DAY = 55  # no agreement by then that a borrower who never pays will break: make one
CONSTRUCT_CURE_DAY = 95  # no assigned visit cancelled by a cure by then: pay one loan before its visit


@dataclass
class Run:
    flow: WholeFlow = field(repr=False)
    events: dict[str, list[dict]] = field(repr=False)  # by topic kind: delinquency, outreach, dispatch, agreement
    dead_letters: dict[str, list] = field(repr=False)
    complaint: dict = field(default_factory=dict)  # customer_id, complaint_id, open_visits (at the time)
    constructed: list[str] = field(default_factory=list)
    cure_checked: bool = False
    outreach_cases: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0

    def of(self, kind: str, event_type: str, **where) -> list[dict]:
        return [e for e in self.events[kind] if e["type"] == event_type
                and all(e["data"].get(k) == v for k, v in where.items())]


@pytest.fixture(scope="module")
async def run(stack):
    started = wall.monotonic()
    flow = WholeFlow(stack, customers=CUSTOMERS, days=DAYS)
    await flow.start()
    result = Run(flow, {}, {})
    try:
        assert len(await flow.seed_roster()) == 72

        async def on_day(index: int, day) -> None:
            if index >= COMPLAINT_FROM_DAY and not result.complaint:
                await _file_complaint(flow, result, anyone=index >= COMPLAINT_BY_DAY)
            if index == CONSTRUCT_BROKEN_DAY:
                await _make_sure_an_agreement_will_break(flow, result)
            if index >= CONSTRUCT_CURE_DAY and not result.cure_checked:
                await _make_sure_a_payment_cancels_a_visit(flow, result)

        await flow.run_days(on_day)
        t = flow.topics
        for kind, topic in (("delinquency", t.delinquency_events), ("outreach", t.outreach_events),
                            ("dispatch", t.dispatch_events), ("agreement", t.agreement_events)):
            result.events[kind] = await flow.events(topic)
        result.dead_letters = await flow.dead_letters()
        broken_cases = [e["data"]["case_id"] for e in result.of("agreement", "agreement.broken")]
        for row in await flow.query("outreach", "SELECT case_id, status, ladder, step_index, waiting_for,"
                                    " next_action_at, broken_promises FROM cases WHERE case_id = ANY($1)",
                                    broken_cases):
            result.outreach_cases[row["case_id"]] = dict(row)
        result.seconds = wall.monotonic() - started
        print(f"whole flow: {CUSTOMERS} customers, {DAYS} days in {result.seconds:.0f}s"
              f" (slowest day {max(flow.day_seconds):.2f}s); constructed: {result.constructed or 'nothing'}")
        yield result
    finally:
        await flow.close()


# --- what the run does along the way ----------------------------------------------------------------


async def _file_complaint(flow: WholeFlow, result: Run, anyone: bool) -> None:
    """A borrower with an open case (and, preferably, a visit still to come) complains to the portal."""
    now = await flow.service_now("dispatch")
    coming = await flow.query("dispatch", "SELECT customer_id, visit_id FROM visits WHERE status IN"
                              " ('assigned', 'unassignable') AND window_start > $1 ORDER BY visit_id", now)
    open_cases = {r["customer_id"] for r in await flow.query(
        "outreach", "SELECT customer_id FROM cases WHERE status = 'open' AND next_action_at IS NOT NULL")}
    candidates = [r["customer_id"] for r in coming if r["customer_id"] in open_cases]
    if not candidates and anyone:
        candidates = sorted(open_cases)
    if not candidates:
        return
    customer_id = candidates[0]
    open_visits = sorted(r["visit_id"] for r in coming if r["customer_id"] == customer_id)
    status, body = await flow.http("outreach", "POST", "/complaints", portal_token(customer_id), {
        "customer_id": customer_id, "category": "conduct", "description": "投诉催收方式 (end-to-end test)"})
    assert status == 201, body
    result.complaint = dict(customer_id=customer_id, complaint_id=body["complaint_id"], open_visits=open_visits)
    await flow.settle(now)


async def _make_sure_an_agreement_will_break(flow: WholeFlow, result: Run) -> None:
    """Unless an agreement is already broken, or signed on a loan whose borrower never pays, dispatch
    reports a visit to such a borrower that ended with negotiated terms (as the field team would)."""
    never = {loan.loan_id for loan in flow.book.loans if loan.behaviour.kind == NEVER}
    signed = await flow.query("agreement", "SELECT loan_id, status FROM agreements")
    if any(r["status"] == "broken" or (r["status"] == "active" and r["loan_id"] in never) for r in signed):
        return
    agreed = {r["loan_id"] for r in signed}
    cases = [r for r in await flow.query("agreement", "SELECT * FROM cases WHERE open ORDER BY case_id")
             if r["loan_id"] in never and r["loan_id"] not in agreed]
    assert cases, "no open case of a borrower who never pays to negotiate with"
    case = cases[0]
    now = await flow.service_now("agreement")
    first = now.astimezone(PORTFOLIO_ZONE).date() + timedelta(days=7)
    amount = case["overdue_amount"]
    parts = [amount // 3, amount // 3, amount - 2 * (amount // 3)]
    terms = NegotiatedTerms(currency=case["currency"], instalments=[
        AgreedInstalment(due_date=add_months(first, n), amount=part) for n, part in enumerate(parts)])
    visit_id = f"visit-e2e-{case['case_id']}"
    data = VisitCompleted(visit_id=visit_id, case_id=case["case_id"], loan_id=case["loan_id"],
                          customer_id=case["customer_id"], collector_id="e2e-collector", outcome="negotiated",
                          terms=terms, evidence=[f"rec-{visit_id}"], completed_at=now)
    _, value = encode(data, source="tests/e2e/dispatch", time=now, subject=case["customer_id"])
    await flow.publish((flow.topics.dispatch_events, case["customer_id"], value))
    result.constructed.append(f"negotiated visit {visit_id} for loan {case['loan_id']} (borrower never pays)")
    await flow.settle(now)


async def _make_sure_a_payment_cancels_a_visit(flow: WholeFlow, result: Run) -> None:
    """Unless a cure or settlement has already cancelled an assigned visit, a borrower with a visit to
    come pays everything the evening before (a payment into a closed day re-evaluates the loan at once)."""
    done = await flow.query("dispatch", "SELECT 1 FROM visits WHERE status = 'cancelled' AND cardinality(collector_ids)"
                            " > 0 AND reason IN ('loan_cured', 'loan_settled')")
    if done:
        result.cure_checked = True
        return
    now = await flow.service_now("dispatch")
    coming = await flow.query("dispatch", "SELECT * FROM visits WHERE status = 'assigned' AND window_start > $1"
                              " AND customer_id <> $2 ORDER BY window_start, visit_id",
                              now, result.complaint.get("customer_id", ""))
    if not coming:
        return  # the next day, then
    visit = coming[0]
    loan = next(loan for loan in flow.book.loans if loan.loan_id == visit["loan_id"])
    paid_at = now - timedelta(hours=1)
    payment = PaymentReceived(payment_id=f"e2e-pay-{visit['visit_id']}", loan_id=loan.loan_id,
                              amount=2 * loan.total_due, currency="CNY", paid_at=paid_at, channel="alipay")
    _, value = encode(payment, source="tests/e2e/loan-system", time=paid_at, subject=loan.loan_id)
    await flow.publish((flow.topics.loan_events, loan.loan_id, value))
    result.constructed.append(f"payment of loan {loan.loan_id} before visit {visit['visit_id']}")
    result.cure_checked = True

    deadline = wall.monotonic() + 30
    while wall.monotonic() < deadline and not await flow.query(
            "dispatch", "SELECT 1 FROM visits WHERE visit_id = $1 AND status = 'cancelled'", visit["visit_id"]):
        await asyncio.sleep(0.05)
    await flow.settle(now)


def _at(event: dict) -> datetime:
    return instant(event["time"])


# --- the happy path ---------------------------------------------------------------------------------


async def test_overdue_loans_are_contacted_by_sms_and_call_within_the_rules_and_the_borrowers_hours(run):
    overdue = run.of("delinquency", "delinquency.loan_became_overdue")
    assert len(overdue) >= 50, f"only {len(overdue)} loans went overdue"
    opened = {e["data"]["case_id"]: _at(e) for e in overdue}

    attempted = run.of("outreach", "outreach.contact_attempted")
    blocked = run.of("outreach", "outreach.contact_blocked")
    channels = {e["data"]["channel"] for e in attempted}
    assert {"sms", "call"} <= channels, f"contact attempts by {channels}"
    for decision in attempted + blocked:
        data = decision["data"]
        assert data["rule_id"] and data["policy_version"] == RULEBOOK_VERSION, data
    assert {e["data"]["rule_id"] for e in blocked} >= {"hours.window"}, "the 03:00 and 06:00 ticks must be refused"

    outside, before_case = [], []
    for event in attempted:
        data = event["data"]
        decided = instant(data["decided_at"])
        local = decided.astimezone(run.flow.zone_of(data["customer_id"], decided))
        if not CONTACT_HOURS[0] <= local.time() < CONTACT_HOURS[1]:
            outside.append((data["attempt_id"], data["customer_id"], local.isoformat()))
        if data["case_id"] not in opened or decided < opened[data["case_id"]]:
            before_case.append((data["attempt_id"], data["case_id"]))
    assert outside == [], f"{len(outside)} contacts outside 08:00-21:00 on the borrower's clock: {outside[:5]}"
    assert before_case == [], f"contacts without an overdue case opened before them: {before_case[:5]}"


async def test_a_confirmed_visit_ends_in_a_signed_agreement_that_payments_keep_until_fulfilled(run):
    requested = {e["data"]["visit_request_id"]: e for e in run.of("outreach", "outreach.visit_requested")}
    assert requested, "no visit time was ever confirmed"
    assigned = {e["data"]["visit_id"]: e for e in run.of("dispatch", "dispatch.visit_assigned")}
    scheduled = {e["data"]["visit_id"]: e for e in run.of("dispatch", "dispatch.visit_scheduled")}
    negotiated = [e for e in run.of("dispatch", "dispatch.visit_completed", outcome="negotiated")
                  if e["data"]["terms"] and e["data"]["visit_id"] in assigned]
    assert negotiated, "no assigned visit was completed with negotiated terms"
    overdue_cases = {e["data"]["case_id"] for e in run.of("delinquency", "delinquency.loan_became_overdue")}

    chains, fulfilled_chains = [], []
    for completed in negotiated:
        visit_id = completed["data"]["visit_id"]
        request = requested.get(scheduled[visit_id]["data"]["visit_request_id"]) if visit_id in scheduled else None
        agreement_id = f"agr-{visit_id}"
        signed = run.of("agreement", "agreement.signed", agreement_id=agreement_id)
        if request is None or not signed or completed["data"]["case_id"] not in overdue_cases:
            continue
        window = (instant(request["data"]["window_start"]), instant(request["data"]["window_end"]))
        assert window[0] <= instant(completed["data"]["completed_at"]) < window[1], (request, completed)
        [proposed] = run.of("agreement", "agreement.proposed", agreement_id=agreement_id)
        assert proposed["data"]["source"] == "visit" and proposed["data"]["terms"] == completed["data"]["terms"]
        chains.append(agreement_id)
        paid = run.of("agreement", "agreement.instalment_paid", agreement_id=agreement_id)
        fulfilled = run.of("agreement", "agreement.fulfilled", agreement_id=agreement_id)
        if fulfilled:
            assert len(paid) == len(completed["data"]["terms"]["instalments"]), (agreement_id, paid)
            fulfilled_chains.append(agreement_id)
    assert chains, "no overdue case went visit requested -> assigned -> negotiated -> signed"
    assert fulfilled_chains, f"none of the {len(chains)} agreements signed at the door was fulfilled"


# --- the unhappy paths ----------------------------------------------------------------------------------


async def test_a_broken_agreement_puts_outreach_back_to_work_on_the_case(run):
    broken = run.of("agreement", "agreement.broken")
    assert broken, f"no agreement was broken (constructed: {run.constructed})"
    ended = defaultdict(list)
    for event in run.events["delinquency"]:
        if event["type"] in ("delinquency.loan_cured", "delinquency.loan_settled", "delinquency.loan_closed"):
            ended[event["data"]["loan_id"]].append(_at(event))
    last_tick = instant(json.loads(run.flow.plan.days[-1].messages[-1].value)["data"]["now"])
    followed, resumed = [], []
    for event in broken:
        data, at = event["data"], _at(event)
        if any(at <= closed <= at + timedelta(days=3) for closed in ended[data["loan_id"]]) \
                or at > last_tick - timedelta(days=3):
            continue  # the case closed (or the run ended) before outreach would have acted
        followed.append(data["case_id"])
        later = [e for e in run.events["outreach"] if e["type"] in ("outreach.contact_attempted",
                                                                     "outreach.contact_blocked")
                 and e["data"].get("case_id") == data["case_id"] and instant(e["data"]["decided_at"]) > at]
        if later:
            resumed.append(data["case_id"])
    assert followed, f"every broken agreement's case closed at once: {broken}"
    assert resumed, (f"after {len(followed)} broken agreements outreach never acted on the case again; "
                     f"outreach's cases: {[run.outreach_cases.get(c) for c in followed]}")


async def test_a_complaint_stops_contact_and_cancels_the_borrowers_open_visits(run):
    complaint = run.complaint
    assert complaint, "no customer with an open case to complain"
    [opened] = run.of("outreach", "outreach.complaint_opened", complaint_id=complaint["complaint_id"])
    opened_at = instant(opened["data"]["opened_at"])
    customer_id = complaint["customer_id"]
    before = [e for e in run.of("outreach", "outreach.contact_attempted", customer_id=customer_id)
              if instant(e["data"]["decided_at"]) <= opened_at]
    after = [e["data"] for e in run.of("outreach", "outreach.contact_attempted", customer_id=customer_id)
             if instant(e["data"]["decided_at"]) > opened_at]
    assert before, "the complaint should come from someone outreach was contacting"
    assert after == [], f"contacted after the complaint at {opened_at}: {after}"
    requested_after = [e for e in run.of("outreach", "outreach.visit_requested", customer_id=customer_id)
                       if instant(e["data"]["confirmed_at"]) > opened_at]
    assert requested_after == []
    for visit_id in complaint["open_visits"]:
        outcome = [(e["type"], e["data"].get("reason")) for e in run.events["dispatch"]
                   if e["data"].get("visit_id") == visit_id and e["type"] in (
                       "dispatch.visit_cancelled", "dispatch.visit_checked_in", "dispatch.visit_completed")]
        assert outcome == [("dispatch.visit_cancelled", "complaint_opened")], (visit_id, outcome)


async def test_a_payment_before_the_visit_cancels_it(run):
    scheduled = {e["data"]["visit_id"]: e["data"] for e in run.of("dispatch", "dispatch.visit_scheduled")}
    assigned = {e["data"]["visit_id"] for e in run.of("dispatch", "dispatch.visit_assigned")}
    took_place = {e["data"]["visit_id"] for e in run.events["dispatch"]
                  if e["type"] in ("dispatch.visit_checked_in", "dispatch.visit_completed")}
    cancelled = [e for e in run.of("dispatch", "dispatch.visit_cancelled")
                 if e["data"]["reason"] in ("loan_cured", "loan_settled")]
    for event in cancelled:
        data = event["data"]
        assert data["visit_id"] not in took_place, f"a cancelled visit still took place: {event}"
        on = _at(event).astimezone(PORTFOLIO_ZONE).date()
        paid_up = [e for e in run.of("delinquency", f"delinquency.{data['reason']}", loan_id=data["loan_id"])
                   if date.fromisoformat(e["data"]["business_date"]) <= on]  # stamped with dispatch's last tick
        assert paid_up, f"cancelled for {data['reason']} before the loan was: {event}"
    before_the_visit = [e for e in cancelled if e["data"]["visit_id"] in assigned
                        and _at(e) < instant(scheduled[e["data"]["visit_id"]]["window_start"])]
    assert before_the_visit, (f"no assigned visit was cancelled by a payment before it "
                              f"({len(cancelled)} cancelled by a cure; constructed: {run.constructed})")


async def test_no_service_dead_letters_what_another_service_announced(run):
    summary = {topic: Counter(tuple(h.get(k, b"").decode() for k in ("dlq-event-type", "dlq-reason", "dlq-detail"))
                              for h in letters) for topic, letters in run.dead_letters.items()}
    assert summary == {}, f"dead letters (event type, reason, detail): {summary}"


# --- the rules of conduct, audited independently of the services' rule book -------------------------------


async def test_the_conduct_auditor_finds_nothing(run):
    audit = await run.flow.conduct_audit()
    print(f"conduct audit: {dict(audit.summary()) or 'no breach'}; not checked: {dict(audit.gaps) or 'nothing'}")
    examples = defaultdict(list)
    for breach in audit.breaches:
        if len(examples[breach.kind]) < 3:
            examples[breach.kind].append(f"{breach.person} {breach.about} {breach.at.isoformat()}: {breach.detail}")
    assert audit.breaches == [], f"breaches of the rules of conduct {dict(audit.summary())}: {dict(examples)}"
