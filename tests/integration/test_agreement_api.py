"""Agreement tracking on the real broker and database: plan options, proposals checked against
policy, approval and signature over HTTP; negotiated visits from dispatch; payments, the clock and
closed loans following what was signed, each announced on agreement-events.

The service clock starts on TODAY at 09:00 (Asia/Shanghai); the loans became overdue the day
before with 30,000.00 CNY overdue. The default policy: terms of 1/3/6/12 monthly instalments, at
most 12 months, first payment at least 10% of the total, a waiver above 500.00 CNY waits for a
supervisor (never above 30%), an instalment unpaid 3 days after its due date is missed, two
missed instalments break the agreement.
"""
from datetime import date, timedelta

import pytest

from services.agreement.domain.months import add_months
from tests.helpers.agreement import (
    COLLECTOR,
    DIALER,
    OVERDUE,
    POLICY,
    PORTAL,
    SUPERVISOR,
    TODAY,
    at,
    loan_closed,
    loan_cured,
    portal_token,
    running_agreement,
    sha256,
    terms,
    visit_completed,
)
from tests.helpers.loan_events import payment, reversal
from tests.helpers.waiting import eventually

FIRST_DUE = TODAY + timedelta(days=7)
THIRDS = [1_000_000, 1_000_000, 1_000_000]  # 30,000.00 CNY in three monthly instalments


@pytest.fixture
async def agreement(stack):
    async with running_agreement(stack) as service:
        await service.tick(at(TODAY, 9))
        yield service


async def signed(agreement, loan_id: str, customer_id: str, amounts=THIRDS) -> str:
    """An agreement proposed by a collector and signed by the borrower: active, followed from now."""
    await agreement.open_case(loan_id, customer_id, overdue_amount=sum(amounts))
    agreement_id = await agreement.propose(loan_id, terms(amounts, FIRST_DUE))
    status, body = await agreement.sign(agreement_id, token=portal_token(customer_id))
    assert (status, body["status"]) == (200, "active"), body
    await agreement.wait_emitted("agreement.signed", agreement_id=agreement_id)
    return agreement_id


# --- plan options: the borrower's right to choose -----------------------------------------------


async def test_plan_options_offer_pay_in_full_and_3_6_12_monthly_plans_that_add_up_to_the_overdue_amount(agreement):
    await agreement.open_case("L1", "C1")

    status, body = await agreement.get("/customers/C1/plan-options", PORTAL)

    assert status == 200, body
    assert body["policy_version"] == POLICY.version
    [loan] = body["loans"]
    assert (loan["loan_id"], loan["overdue_amount"], loan["currency"]) == ("L1", OVERDUE, "CNY")
    assert [o["instalments"] for o in loan["options"]] == [1, 3, 6, 12]
    for option in loan["options"]:
        schedule = option["schedule"]
        assert len(schedule) == option["instalments"]
        assert sum(line["amount"] for line in schedule) == OVERDUE, option
        assert option["first_payment"] == schedule[0]["amount"] >= OVERDUE // 10, option
        assert [date.fromisoformat(line["due_date"]) for line in schedule] == [
            add_months(FIRST_DUE, n) for n in range(option["instalments"])], option
    pay_in_full = loan["options"][0]
    assert pay_in_full["schedule"] == [{"due_date": FIRST_DUE.isoformat(), "amount": OVERDUE}]

    # staff see the same; nobody without a token, nor a dialer
    assert (await agreement.get("/customers/C1/plan-options", SUPERVISOR))[1]["loans"] == body["loans"]
    status, denied = await agreement.get("/customers/C1/plan-options")
    assert status == 401, denied
    status, denied = await agreement.get("/customers/C1/plan-options", DIALER)
    assert status == 403, denied
    # a customer with nothing overdue has nothing to choose between
    status, none = await agreement.get("/customers/C-unknown/plan-options", portal_token("C-unknown"))
    assert (status, none["loans"]) == (200, []), none


async def test_a_cured_loan_offers_no_plans_and_takes_no_proposal(agreement):
    await agreement.open_case("L1", "C1")
    key, value = loan_cured("L1", "C1")
    await agreement.send_delinquency((key, value))
    await agreement.processed(value)

    status, body = await agreement.get("/customers/C1/plan-options", PORTAL)
    assert (status, body["loans"]) == (200, []), body
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": terms(THIRDS, FIRST_DUE)},
                                        COLLECTOR)
    assert status == 422, body
    assert [v["rule_id"] for v in body["violations"]] == ["case.not_open"], body


# --- proposals within policy ------------------------------------------------------------------


async def test_terms_outside_policy_are_refused_naming_every_rule_they_break(agreement):
    await agreement.open_case("L1", "C1")

    cases = {
        "term.too_long": terms([OVERDUE // 24] * 24, FIRST_DUE),
        "first_payment.too_small": terms([100_000, 1_450_000, 1_450_000], FIRST_DUE),
        "amounts.do_not_cover": terms([900_000, 900_000, 900_000], FIRST_DUE),
        "waiver.too_large": terms([699_999, 700_000, 700_000], FIRST_DUE, waiver=900_001),
    }
    for rule_id, negotiated in cases.items():
        status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": negotiated}, COLLECTOR)
        assert status == 422, (rule_id, body)
        assert body["policy_version"] == POLICY.version
        rules = [v["rule_id"] for v in body["violations"]]
        assert rule_id in rules, (rule_id, body)
        assert all(v["message"] for v in body["violations"]), body

    # several rules at once are all named in one answer
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": terms(
        [100, 100] + [10_000] * 22, FIRST_DUE)}, SUPERVISOR)
    assert status == 422, body
    assert {"term.too_long", "amounts.do_not_cover", "first_payment.too_small"} <= {
        v["rule_id"] for v in body["violations"]}, body

    # a wrong shape is a 400 naming the field; only staff propose
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": {"currency": "CNY"}}, COLLECTOR)
    assert status == 400 and "instalments" in str(body), body
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": terms(THIRDS, FIRST_DUE)}, PORTAL)
    assert status == 403, body

    await agreement.all_published()
    assert await agreement.emitted("agreement.proposed") == []
    assert await agreement.query("SELECT * FROM agreements") == []

    # within policy: proposed, announced, nothing to approve
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": terms(THIRDS, FIRST_DUE)},
                                        COLLECTOR)
    assert (status, body["status"]) == (201, "proposed"), body
    [proposed] = await agreement.wait_emitted("agreement.proposed", agreement_id=body["agreement_id"])
    data = proposed["data"]
    assert (data["loan_id"], data["customer_id"], data["case_id"]) == ("L1", "C1", "case-L1")
    assert (data["source"], data["requires_approval"], data["policy_version"]) == ("staff", False, POLICY.version)
    assert [i["amount"] for i in data["terms"]["instalments"]] == THIRDS
    shown = await agreement.agreement(body["agreement_id"])
    assert shown["status"] == "proposed"
    assert [(line["sequence"], line["amount"]) for line in shown["schedule"]] == [(1, THIRDS[0]), (2, THIRDS[1]),
                                                                                  (3, THIRDS[2])]


# --- approval and signature ---------------------------------------------------------------------


async def test_a_large_waiver_waits_for_a_supervisor_and_only_the_proposed_text_can_be_signed(agreement):
    await agreement.open_case("L1", "C1")
    waiver = POLICY.waiver_supervisor_threshold + 50_000  # 1,000.00 CNY: above the threshold, under 30%
    to_pay = OVERDUE - waiver
    agreement_id = await agreement.propose("L1", terms([to_pay - 2 * (to_pay // 3), to_pay // 3, to_pay // 3],
                                                       FIRST_DUE, waiver=waiver))
    [proposed] = await agreement.wait_emitted("agreement.proposed", agreement_id=agreement_id)
    assert proposed["data"]["requires_approval"] is True
    text = (await agreement.agreement(agreement_id))["agreement_text"]

    status, body = await agreement.sign(agreement_id)
    assert (status, body["error"]) == (409, "transition.approval_required"), body

    status, body = await agreement.post(f"/agreements/{agreement_id}/approve", {"supervisor": "sup-1"}, COLLECTOR)
    assert status == 403, body
    status, body = await agreement.post(f"/agreements/{agreement_id}/approve", {"supervisor": "sup-9"}, SUPERVISOR)
    assert (status, body["status"]) == (200, "approved"), body
    [approved] = await agreement.wait_emitted("agreement.approved", agreement_id=agreement_id)
    assert approved["data"]["approved_at"]
    assert approved["data"]["approved_by"] == "sup-1", "the approver is the token's subject, not the body's name"
    assert (await agreement.agreement(agreement_id))["approved_by"] == "sup-1"
    status, body = await agreement.post(f"/agreements/{agreement_id}/approve", {"supervisor": "sup-1"}, SUPERVISOR)
    assert (status, body["error"]) == (409, "transition.illegal"), body

    status, body = await agreement.sign(agreement_id, text_hash=sha256(text + "Waived: everything\n"))
    assert (status, body["error"]) == (409, "signature.text_mismatch"), body
    assert (await agreement.agreement(agreement_id))["status"] == "approved"

    status, body = await agreement.sign(agreement_id, text_hash=sha256(text), signer="Zhang Wei")
    assert (status, body["status"]) == (200, "active"), body
    [signed_event] = await agreement.wait_emitted("agreement.signed", agreement_id=agreement_id)
    assert signed_event["data"]["text_hash"] == sha256(text)
    assert signed_event["data"]["method"] == "e_signature"
    shown = await agreement.agreement(agreement_id)
    assert shown["status"] == "active"
    assert shown["signature"] == {"signer": "Zhang Wei", "method": "e_signature", "text_hash": sha256(text)}
    assert shown["waiver_amount"] == waiver and shown["requires_approval"] is True

    status, body = await agreement.sign(agreement_id)
    assert (status, body["error"]) == (409, "transition.illegal"), body


async def test_an_agreement_within_the_waiver_threshold_needs_no_approval(agreement):
    await agreement.open_case("L1", "C1")
    waiver = POLICY.waiver_supervisor_threshold  # exactly at the threshold: no supervisor needed
    to_pay = OVERDUE - waiver
    agreement_id = await agreement.propose("L1", terms([to_pay], FIRST_DUE, waiver=waiver))
    status, body = await agreement.post(f"/agreements/{agreement_id}/approve", {"supervisor": "sup-1"}, SUPERVISOR)
    assert (status, body["error"]) == (409, "transition.approval_not_needed"), body
    status, body = await agreement.sign(agreement_id)
    assert (status, body["status"]) == (200, "active"), body
    status, body = await agreement.get("/agreements/no-such-agreement", PORTAL)
    assert status == 404, body


# --- negotiated visits ----------------------------------------------------------------------------


async def test_a_negotiated_visit_becomes_one_proposed_agreement_however_often_it_arrives(agreement):
    await agreement.open_case("L1", "C1")
    await agreement.open_case("L2", "C2")
    negotiated = terms(THIRDS, FIRST_DUE)
    first = visit_completed("visit-1", "L1", "C1", negotiated=negotiated)
    redelivered = visit_completed("visit-1", "L1", "C1", negotiated=negotiated)  # the same visit, a new event id
    no_terms = visit_completed("visit-2", "L2", "C2", outcome="met_borrower")
    await agreement.send_dispatch(first, first, redelivered, no_terms)
    for _, value in (first, redelivered, no_terms):
        await agreement.processed(value)
    await agreement.all_published()

    [proposed] = await agreement.emitted("agreement.proposed")
    data = proposed["data"]
    assert (data["agreement_id"], data["source"], data["loan_id"], data["case_id"]) == (
        "agr-visit-1", "visit", "L1", "case-L1")
    assert data["requires_approval"] is False
    rows = await agreement.query("SELECT agreement_id, status, visit_id, source FROM agreements")
    assert [tuple(r.values()) for r in rows] == [("agr-visit-1", "proposed", "visit-1", "visit")]
    # nobody signed at the door: the borrower signs the text like any other
    status, body = await agreement.sign("agr-visit-1")
    assert (status, body["status"]) == (200, "active"), body
    assert await agreement.dead_letters() == []


async def test_negotiated_terms_outside_policy_or_for_a_loan_without_a_case_propose_nothing(agreement):
    await agreement.open_case("L1", "C1")
    too_long = visit_completed("visit-1", "L1", "C1", negotiated=terms([OVERDUE // 24] * 24, FIRST_DUE))
    no_case = visit_completed("visit-2", "L9", "C9", negotiated=terms(THIRDS, FIRST_DUE))
    await agreement.send_dispatch(too_long, no_case)
    for _, value in (too_long, no_case):
        await agreement.processed(value)
    await agreement.all_published()
    assert await agreement.emitted("agreement.proposed") == []
    assert await agreement.dead_letters() == []


# --- following what was signed ----------------------------------------------------------------------


async def test_payments_pay_instalments_oldest_first_and_two_missed_instalments_break_the_agreement(agreement):
    agreement_id = await signed(agreement, "L1", "C1")
    second_due, third_due = add_months(FIRST_DUE, 1), add_months(FIRST_DUE, 2)

    await agreement.send_loan_events(payment("P1", "L1", 600_000, at(TODAY, 11)))
    await agreement.tick(at(TODAY + timedelta(days=2), 9))
    await agreement.send_loan_events(payment("P2", "L1", 400_000, at(TODAY + timedelta(days=3), 10)))
    [paid] = await agreement.wait_emitted("agreement.instalment_paid", agreement_id=agreement_id)
    assert (paid["data"]["sequence"], paid["data"]["amount"], paid["data"]["due_date"]) == (
        1, THIRDS[0], FIRST_DUE.isoformat())

    # within the grace days nothing is missed yet
    await agreement.tick(at(second_due + timedelta(days=POLICY.grace_days), 9))
    await agreement.all_published()
    assert await agreement.emitted("agreement.instalment_missed") == []

    await agreement.tick(at(second_due + timedelta(days=POLICY.grace_days + 1), 0))
    [missed] = await agreement.wait_emitted("agreement.instalment_missed", agreement_id=agreement_id)
    assert (missed["data"]["sequence"], missed["data"]["unpaid"], missed["data"]["due_date"]) == (
        2, THIRDS[1], second_due.isoformat())
    await agreement.all_published()
    assert await agreement.emitted("agreement.broken") == []
    assert (await agreement.agreement(agreement_id))["status"] == "active"

    await agreement.tick(at(third_due + timedelta(days=POLICY.grace_days + 1), 0))
    [broken] = await agreement.wait_emitted("agreement.broken", agreement_id=agreement_id)
    assert (broken["data"]["missed_instalments"], broken["data"]["unpaid"]) == (2, THIRDS[1] + THIRDS[2])
    missed = await agreement.emitted("agreement.instalment_missed", agreement_id=agreement_id)
    assert [m["data"]["sequence"] for m in missed] == [2, 3]
    shown = await agreement.agreement(agreement_id)
    assert shown["status"] == "broken"
    assert [(line["paid"], line["missed"]) for line in shown["schedule"]] == [(True, False), (False, True),
                                                                             (False, True)]

    # over for good: the clock and later payments change nothing, and nothing is announced twice
    await agreement.send_loan_events(payment("P3", "L1", 2_000_000, at(third_due + timedelta(days=5), 10)))
    await agreement.tick(at(third_due + timedelta(days=40), 9))
    await agreement.all_published()
    kinds = [e["type"] for e in await agreement.emitted(agreement_id=agreement_id)]
    assert kinds == ["agreement.proposed", "agreement.signed", "agreement.instalment_paid",
                     "agreement.instalment_missed", "agreement.instalment_missed", "agreement.broken"]


async def test_an_agreement_paid_in_full_is_fulfilled_and_others_on_other_loans_are_untouched(agreement):
    kept = await signed(agreement, "L1", "C1")
    other = await signed(agreement, "L2", "C2")

    await agreement.send_loan_events(payment("P1", "L1", 1_000_000, at(TODAY, 12)),
                                     payment("P2", "L1", 2_000_000, at(TODAY + timedelta(days=20), 12)))
    [fulfilled] = await agreement.wait_emitted("agreement.fulfilled", agreement_id=kept)
    assert fulfilled["data"]["loan_id"] == "L1"
    paid = await agreement.wait_emitted("agreement.instalment_paid", 3, agreement_id=kept)
    assert sorted(p["data"]["sequence"] for p in paid) == [1, 2, 3]
    assert (await agreement.agreement(kept))["status"] == "fulfilled"
    assert (await agreement.agreement(other))["status"] == "active"
    assert await agreement.emitted("agreement.instalment_paid", agreement_id=other) == []


async def test_a_payment_made_before_signing_does_not_count_and_a_reversed_one_stops_counting(agreement):
    await agreement.open_case("L1", "C1")
    await agreement.send_loan_events(payment("P0", "L1", 1_000_000, at(TODAY, 8)))  # before the signature
    agreement_id = await agreement.propose("L1", terms(THIRDS, FIRST_DUE))
    await agreement.tick(at(TODAY, 10))
    status, body = await agreement.sign(agreement_id)
    assert status == 200, body
    await agreement.send_loan_events(payment("P1", "L1", 1_000_000, at(TODAY, 11)),
                                     reversal("P1", "L1", 1_000_000, at(TODAY, 12)))
    await agreement.tick(at(FIRST_DUE + timedelta(days=POLICY.grace_days + 1), 0))
    [missed] = await agreement.wait_emitted("agreement.instalment_missed", agreement_id=agreement_id)
    assert (missed["data"]["sequence"], missed["data"]["unpaid"]) == (1, THIRDS[0])


async def test_a_loan_closed_upstream_ends_its_agreements(agreement):
    active = await signed(agreement, "L1", "C1")
    await agreement.open_case("L2", "C2")
    proposed = await agreement.propose("L2", terms(THIRDS, FIRST_DUE))

    closed = [loan_closed("L1", "C1", reason="written_off"), loan_closed("L2", "C2", reason="sold")]
    await agreement.send_delinquency(*closed)
    [ended] = await agreement.wait_emitted("agreement.ended", agreement_id=active)
    assert (ended["data"]["reason"], ended["data"]["loan_id"], ended["data"]["case_id"]) == (
        "loan_closed", "L1", "case-L1")
    await agreement.wait_emitted("agreement.ended", agreement_id=proposed)
    assert (await agreement.agreement(active))["status"] == "ended"
    assert (await agreement.agreement(proposed))["status"] == "ended"

    # nothing more happens to an ended agreement, even when the clock passes its due dates
    await agreement.send_delinquency(*closed)
    await agreement.tick(at(add_months(FIRST_DUE, 3), 9))
    await agreement.all_published()
    assert [e["type"] for e in await agreement.emitted(agreement_id=active)] == [
        "agreement.proposed", "agreement.signed", "agreement.ended"]
    status, body = await agreement.sign(proposed, token=portal_token("C2"))
    assert (status, body["error"]) == (409, "transition.illegal"), body

    async def no_plans():
        status, body = await agreement.get("/customers/C1/plan-options", PORTAL)
        return status == 200 and body["loans"] == []

    await eventually(no_plans, what="no plan options for a closed loan")


async def test_a_loan_closed_after_its_case_was_cured_still_ends_its_agreement_and_nothing_is_dead_lettered(
        agreement):
    # Overdue detection closes a loan that is not overdue (never was, or was cured) with no case id:
    # the episode is over. The agreement signed during the episode is still followed and must end.
    active = await signed(agreement, "L1", "C1")
    cured = loan_cured("L1", "C1")
    await agreement.send_delinquency(cured)
    await agreement.processed(cured[1])
    assert (await agreement.agreement(active))["status"] == "active"

    never_overdue = loan_closed("L7", "C7", case_id=None, reason="paid_off")
    after_cure = loan_closed("L1", "C1", case_id=None, reason="written_off")
    await agreement.send_delinquency(never_overdue, after_cure)
    for _, value in (never_overdue, after_cure):
        await agreement.handled(value)
    await agreement.all_published()

    letters = [dict(r.headers) for r in await agreement.dead_letters()]
    assert letters == [], f"a loan closed outside an episode is ordinary input, yet: {letters}"
    [ended] = await agreement.emitted("agreement.ended", agreement_id=active)
    assert ended["data"]["reason"] == "loan_closed"
    assert (await agreement.agreement(active))["status"] == "ended"


async def test_an_unpaid_agreement_breaks_once_its_last_instalment_is_missed_however_few_instalments_it_has(
        agreement):
    # With two missed instalments to break, a pay-in-full agreement (one instalment) left unpaid, or
    # a three-instalment one whose last instalment alone is left unpaid, must still break once nothing
    # is left to fall due: otherwise it stays active for ever and outreach stays paused on its case.
    in_full = await signed(agreement, "L1", "C1", amounts=[OVERDUE])
    last_unpaid = await signed(agreement, "L2", "C2")
    await agreement.send_loan_events(payment("P2", "L2", THIRDS[0] + THIRDS[1], at(TODAY, 12)))
    await agreement.wait_emitted("agreement.instalment_paid", 2, agreement_id=last_unpaid)

    await agreement.tick(at(add_months(FIRST_DUE, 2) + timedelta(days=POLICY.grace_days + 1), 0))
    [missed] = await agreement.wait_emitted("agreement.instalment_missed", agreement_id=in_full)
    assert missed["data"]["sequence"] == 1
    [missed] = await agreement.wait_emitted("agreement.instalment_missed", agreement_id=last_unpaid)
    assert missed["data"]["sequence"] == 3
    await agreement.tick(at(add_months(FIRST_DUE, 6), 9))
    await agreement.all_published()

    statuses = {a: (await agreement.agreement(a))["status"] for a in (in_full, last_unpaid)}
    assert statuses == {in_full: "broken", last_unpaid: "broken"}, (
        f"unpaid agreements with nothing left to fall due are still {statuses}")


async def test_a_loan_has_one_agreement_in_force_at_a_time(agreement):
    # Every payment on the loan counts toward every active agreement on it, so two in force at once
    # would each be paid by the same money: a second one may replace the first, never run beside it.
    first = await signed(agreement, "L1", "C1")
    status, body = await agreement.post("/agreements", {"loan_id": "L1", "terms": terms([OVERDUE], FIRST_DUE)},
                                        COLLECTOR)
    if status == 201:
        await agreement.sign(body["agreement_id"])
    await agreement.all_published()

    active = await agreement.query("SELECT agreement_id FROM agreements WHERE loan_id = 'L1' AND status = 'active'")
    assert len(active) == 1, (f"{len(active)} agreements in force on one loan: the first {first}, "
                              f"the second proposal answered {status} {body}")
