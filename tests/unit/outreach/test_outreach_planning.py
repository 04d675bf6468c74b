"""What a case does next and the words it sends: the pure planning and message text production runs."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.messages import Debt, message_text, visit_slots
from services.outreach.domain.model import Person, PersonHistory, Preferences
from services.outreach.domain.planning import (
    CaseView,
    after_outcome,
    after_visit_report,
    plan_next,
    timed_out,
    visit_offer_open,
)
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.strategy import Ladder, Step
from services.outreach.domain.waiting import WaitingFor

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 7, 10, 0, tzinfo=SHANGHAI)
BOOK = RuleBook(version="test")
LADDER = Ladder(name="early", steps=(Step(action="sms_reminder"), Step(action="call", wait_days=1, max_attempts=2),
                                     Step(action="visit", wait_days=5, max_attempts=3)))
DEBT = Debt("Mei", "Phone X", 60_000, "CNY", days_past_due=2, as_of=date(2026, 2, 6))


def case(step_index: int = 0, waiting_for: WaitingFor | None = None, ladder: Ladder | None = LADDER,
         under_agreement: bool = False) -> CaseView:
    return CaseView("case-1", "C1", ladder, step_index, 0, waiting_for, under_agreement)


def person(**preferences) -> Person:
    return Person(PersonHistory("Asia/Shanghai", preferences=Preferences(**preferences)), ("13800000000",),
                  ("13900000000",))


def test_the_stored_waiting_for_strings_are_the_ones_the_database_holds():
    assert {w.value for w in WaitingFor} == {
        "outcome", "visit_confirmation", "visit", "promise", "rule", "complaint", "preference", "paid_up",
        "dispute", "agreement", "person", "customer_data", "error"}


def test_an_allowed_contact_waits_for_its_outcome_a_day():
    plan = plan_next(case(), person(), BOOK, NOW)
    assert plan.decision is not None and plan.decision.allowed
    assert (plan.waiting_for, plan.next_action_at) == (WaitingFor.OUTCOME, NOW + timedelta(days=1))


@pytest.mark.parametrize(("preferences", "rule_id", "waiting_for"), [
    ({"stop_contact": True}, "preference.stop_contact", WaitingFor.PREFERENCE),
    ({"preferred_channel": "call"}, "preference.channel", WaitingFor.PREFERENCE),
])
def test_a_block_only_the_borrower_can_lift_waits_for_their_preferences(preferences, rule_id, waiting_for):
    plan = plan_next(case(), person(**preferences), BOOK, NOW)
    assert plan.decision is not None and plan.decision.rule_id == rule_id
    assert (plan.waiting_for, plan.next_action_at) == (waiting_for, None)


def test_a_block_time_lifts_is_retried_when_every_rule_allows():
    plan = plan_next(case(), person(), BOOK, NOW.replace(hour=22))
    assert plan.waiting_for == WaitingFor.RULE
    assert plan.next_action_at == datetime(2026, 2, 8, 8, 0, tzinfo=SHANGHAI)


def test_a_case_without_a_ladder_waits_for_a_person():
    plan = plan_next(case(ladder=None), person(), BOOK, NOW)
    assert (plan.request, plan.waiting_for, plan.next_action_at) == (None, WaitingFor.PERSON, None)


def test_silence_counts_as_a_failed_try_and_an_unanswered_offer_as_an_unconfirmed_visit():
    assert timed_out(case(1, WaitingFor.OUTCOME), NOW).step_attempts == 1  # the call is tried again
    assert timed_out(case(2, WaitingFor.VISIT_CONFIRMATION), NOW).step_attempts == 1
    assert timed_out(case(0, WaitingFor.RULE), NOW) is None  # a rule's wait is not an answer that never came


def test_a_delivered_visit_offer_waits_a_day_for_the_borrower_to_pick_a_time():
    plan = after_outcome(case(2, WaitingFor.OUTCOME), "delivered", "visit_confirmation", NOW)
    assert (plan.step_index, plan.waiting_for, plan.next_action_at) == (
        2, WaitingFor.VISIT_CONFIRMATION, NOW + timedelta(days=1))
    assert after_outcome(case(0, WaitingFor.OUTCOME), "delivered", "reminder", NOW).step_index == 1


def test_a_visit_offer_is_open_only_on_the_visit_step_while_its_answer_is_awaited_and_no_agreement_holds():
    assert visit_offer_open(case(2, WaitingFor.VISIT_CONFIRMATION))
    assert not visit_offer_open(case(2, WaitingFor.VISIT_CONFIRMATION, under_agreement=True))
    assert not visit_offer_open(case(1, WaitingFor.OUTCOME))
    assert not visit_offer_open(case(2, WaitingFor.VISIT))


@pytest.mark.parametrize(("outcome", "step_index", "waiting_for"), [
    ("safety_incident", 2, WaitingFor.PERSON), ("conflict", 2, WaitingFor.PERSON),
    ("met_borrower", 3, WaitingFor.PERSON), ("moved", 3, WaitingFor.PERSON), (None, 2, None),
])
def test_what_happened_at_the_door_decides_the_next_step(outcome, step_index, waiting_for):
    plan = after_visit_report(case(2, WaitingFor.VISIT), outcome, NOW)
    assert (plan.step_index, plan.waiting_for) == (step_index, waiting_for)


def test_the_borrower_is_told_the_date_the_instalment_fell_due_and_the_offered_times():
    slots = visit_slots(NOW, SHANGHAI)
    text = message_text("sms.reminder.en", "borrower", "400-820-0000", DEBT, slots, SHANGHAI, NOW)
    assert "Hi Mei, your Phone X instalment of CNY 600.00 was due on 2026-02-04" in text
    assert text.endswith("1) 02-08 10:00-12:00 / 2) 02-08 14:00-16:00 / 3) 02-09 18:00-20:00")


def test_an_emergency_contact_gets_only_the_call_back_number_and_never_a_borrower_template():
    text = message_text("third_party.locate.en", "emergency_contact", "400-820-0000", DEBT, [], SHANGHAI, NOW)
    assert "400-820-0000" in text and "600" not in text and "Phone X" not in text
    with pytest.raises(TypeError):
        message_text("sms.reminder.zh", "emergency_contact", "400-820-0000", DEBT, [], SHANGHAI, NOW)
    with pytest.raises(TypeError):
        message_text("third_party.locate.zh", "borrower", "400-820-0000", DEBT, [], SHANGHAI, NOW)
