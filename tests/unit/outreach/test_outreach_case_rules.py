"""The rules about a case whatever the contact: a paid-up loan, a dispute with the merchant, an agreement in force;
what they do to planning (a legal referral too), and how holds pause and release a case."""
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.holds import after_holds_changed
from services.outreach.domain.model import Block, ContactRequest, Decision, Person, PersonHistory
from services.outreach.domain.planning import CaseView, after_block, plan_next, waiting_for_rule
from services.outreach.domain.rule_engine import collection_block, decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.strategy import Ladder, Step
from services.outreach.domain.waiting import WaitingFor

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 12, tzinfo=SHANGHAI)
PHONE = "+8613800000001"
BOOK = RuleBook.load()
SMS = ContactRequest("cust-1", "case-1", "sms", "borrower", PHONE, "reminder", "sms.reminder.zh")
OTHER_LOAN = replace(SMS, case_id="case-2")
PERSON = PersonHistory("Asia/Shanghai", phones=frozenset({PHONE}))
HOLDS_OTHER_LOANS = BOOK.model_copy(update={"agreement": BOOK.agreement.model_copy(update={"holds_other_loans": True})})


def switched_off(section: str) -> RuleBook:
    return BOOK.model_copy(update={section: getattr(BOOK, section).model_copy(update={"enabled": False})})


@pytest.mark.parametrize(("facts", "rule_id", "section"), [
    ({"paid_up_cases": frozenset({"case-1"})}, "loan.paid_up", "paid_up"),
    ({"disputed_cases": frozenset({"case-1"})}, "dispute.open", "dispute"),
    ({"agreement_cases": frozenset({"case-1"}), "agreement_in_force": True}, "agreement.in_force", "agreement"),
])
def test_a_fact_about_the_case_blocks_every_contact_about_it_and_nothing_else(facts, rule_id, section):
    person = replace(PERSON, **facts)
    for request in (SMS, replace(SMS, channel="call", purpose="collection", template_id=None),
                    replace(SMS, recipient="emergency_contact", destination="+8613900000009", purpose="locate")):
        decision = decide(request, person, BOOK, NOW)
        assert (decision.allowed, decision.rule_id, decision.retry_at) == (False, rule_id, None)
        assert decision.policy_version == BOOK.version
    assert decide(OTHER_LOAN, person, BOOK, NOW).allowed  # the customer's other loan is not held by it
    assert decide(SMS, person, switched_off(section), NOW).allowed


def test_by_policy_an_agreement_also_holds_the_customers_other_loans():
    person = replace(PERSON, agreement_cases=frozenset({"case-1"}), agreement_in_force=True)
    assert decide(OTHER_LOAN, person, BOOK, NOW).allowed  # the default: its own loan only
    blocked = decide(OTHER_LOAN, person, HOLDS_OTHER_LOANS, NOW)
    assert (blocked.allowed, blocked.rule_id) == (False, "agreement.other_loan")
    assert decide(SMS, person, HOLDS_OTHER_LOANS, NOW).rule_id == "agreement.in_force"


def test_the_case_rules_alone_stop_what_is_not_a_contact():
    assert collection_block("case-1", PERSON, BOOK) is None
    assert collection_block("case-1", replace(PERSON, open_complaint=True), BOOK).rule_id == "complaint.open"
    disputed = replace(PERSON, disputed_cases=frozenset({"case-1"}))
    assert collection_block("case-1", disputed, BOOK).rule_id == "dispute.open"
    assert collection_block("case-2", disputed, BOOK) is None
    assert collection_block("case-1", disputed, switched_off("dispute")) is None


REFERRAL = Ladder(name="late", steps=(Step(action="legal_referral"),))


def case(waiting_for: WaitingFor | None = None, ladder: Ladder | None = REFERRAL) -> CaseView:
    return CaseView("case-1", "cust-1", ladder, 0, 1, waiting_for)


@pytest.mark.parametrize(("facts", "waiting_for"), [
    ({"disputed_cases": frozenset({"case-1"})}, WaitingFor.DISPUTE),
    ({"paid_up_cases": frozenset({"case-1"})}, WaitingFor.PAID_UP),
    ({"agreement_cases": frozenset({"case-1"})}, WaitingFor.AGREEMENT),
    ({"open_complaint": True}, WaitingFor.COMPLAINT),
])
def test_no_referral_to_legal_services_while_collection_of_the_case_is_paused(facts, waiting_for):
    plan = plan_next(case(), Person(replace(PERSON, **facts), (PHONE,), ()), BOOK, NOW)
    assert (plan.special, plan.request, plan.waiting_for, plan.next_action_at) == (None, None, waiting_for, None)
    assert (plan.step_index, plan.step_attempts) == (0, 1)
    assert plan_next(case(), Person(PERSON, (PHONE,), ()), BOOK, NOW).special == "legal_referral"


def test_a_contact_blocked_by_a_fact_waits_for_that_fact_to_change():
    sms = Ladder(name="early", steps=(Step(action="sms_reminder"),))
    person = Person(replace(PERSON, disputed_cases=frozenset({"case-1"})), (PHONE,), ())
    plan = plan_next(case(ladder=sms), person, BOOK, NOW)
    assert plan.decision is not None and plan.decision.rule_id == "dispute.open"
    assert (plan.waiting_for, plan.next_action_at) == (WaitingFor.DISPUTE, None)


@pytest.mark.parametrize(("rule_id", "waiting_for"), [
    ("complaint.open", WaitingFor.COMPLAINT), ("loan.paid_up", WaitingFor.PAID_UP),
    ("dispute.open", WaitingFor.DISPUTE), ("agreement.in_force", WaitingFor.AGREEMENT),
    ("agreement.other_loan", WaitingFor.AGREEMENT), ("preference.stop_contact", WaitingFor.PREFERENCE),
    ("destination.invalid", WaitingFor.PERSON), ("third_party.locate_only", WaitingFor.PERSON),
])
def test_a_block_without_a_retry_time_waits_for_what_lifts_it(rule_id, waiting_for):
    assert waiting_for_rule(rule_id) == waiting_for
    plan = after_block(case(WaitingFor.OUTCOME), Decision(False, rule_id, "v"))
    assert (plan.step_index, plan.step_attempts, plan.waiting_for, plan.next_action_at) == (0, 1, waiting_for, None)


def test_a_block_time_lifts_keeps_the_step_and_retries_when_every_rule_allows():
    plan = after_block(case(WaitingFor.OUTCOME), Decision(False, "hours.window", "v", NOW + timedelta(hours=9)))
    assert (plan.step_index, plan.step_attempts, plan.waiting_for, plan.next_action_at) == (
        0, 1, WaitingFor.RULE, NOW + timedelta(hours=9))


def test_a_held_case_waits_for_what_lifts_the_first_objection_and_goes_on_once_none_is_left():
    waiting_for_a_promise = case(WaitingFor.PROMISE)
    paused = after_holds_changed(waiting_for_a_promise, Block("dispute.open"), NOW)
    assert (paused.waiting_for, paused.next_action_at, paused.step_attempts) == (WaitingFor.DISPUTE, None, 1)
    resumed = after_holds_changed(case(WaitingFor.DISPUTE), None, NOW)
    assert (resumed.waiting_for, resumed.next_action_at, resumed.step_attempts) == (None, NOW, 1)
    still = after_holds_changed(case(WaitingFor.DISPUTE), Block("agreement.in_force"), NOW)
    assert (still.waiting_for, still.next_action_at) == (WaitingFor.AGREEMENT, None)
    assert after_holds_changed(waiting_for_a_promise, None, NOW) is None  # not held: left as it was
    assert after_holds_changed(case(WaitingFor.PERSON), None, NOW) is None
    assert after_holds_changed(case(WaitingFor.PREFERENCE), None, NOW) is None  # a preference change lifts that


def test_several_facts_hold_a_case_under_the_first_in_the_rule_books_order():
    everything = replace(PERSON, open_complaint=True, paid_up_cases=frozenset({"case-1"}),
                         disputed_cases=frozenset({"case-1"}), agreement_cases=frozenset({"case-1"}))
    seen = []
    for change in ({"open_complaint": False}, {"paid_up_cases": frozenset()}, {"disputed_cases": frozenset()},
                   {"agreement_cases": frozenset()}):
        block = collection_block("case-1", everything, BOOK)
        seen.append(after_holds_changed(case(WaitingFor.OUTCOME), block, NOW).waiting_for)
        everything = replace(everything, **change)
    assert seen == [WaitingFor.COMPLAINT, WaitingFor.PAID_UP, WaitingFor.DISPUTE, WaitingFor.AGREEMENT]
    assert after_holds_changed(case(WaitingFor.AGREEMENT), collection_block("case-1", everything, BOOK), NOW
                               ).waiting_for is None
