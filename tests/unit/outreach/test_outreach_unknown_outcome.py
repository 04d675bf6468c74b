"""Never rely on the absence of a fact that may be in flight: a call whose outcome is not known yet counts as a
possible conversation for the quiet period until its outcome arrives or the rule book's hours pass."""
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.model import Attempt, ContactRequest, PersonHistory
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import RuleBook

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "+8613800000001"
BOOK = RuleBook.load()
CALL = ContactRequest("cust-1", "case-2", "call", "borrower", PHONE, "collection")
CALLED = datetime(2026, 6, 10, 10, tzinfo=SHANGHAI)
NOW = CALLED + timedelta(hours=2)


def person(*calls: Attempt) -> PersonHistory:
    return PersonHistory("Asia/Shanghai", attempts=calls, phones=frozenset({PHONE}))


def call(at: datetime = CALLED, outcome=None, recipient="borrower") -> Attempt:
    return Attempt("call", PHONE if recipient == "borrower" else "+8613900000009", recipient, at, outcome)


def counting_for(hours: int) -> RuleBook:
    quiet = BOOK.quiet_after_conversation.model_copy(update={"unknown_outcome_counts_for_hours": hours})
    return BOOK.model_copy(update={"quiet_after_conversation": quiet})


def test_a_call_without_an_outcome_yet_holds_the_next_call_until_its_hours_pass():
    decision = decide(CALL, person(call()), BOOK, NOW)
    assert (decision.allowed, decision.rule_id) == (False, "cap.calls.outcome_unknown")
    assert decision.retry_at == CALLED + timedelta(hours=24)
    assert decide(CALL, person(call()), BOOK, CALLED + timedelta(hours=24)).allowed


@pytest.mark.parametrize("outcome", ["no_answer", "failed", "wrong_number"])
def test_once_the_outcome_says_no_conversation_the_next_call_may_go(outcome):
    assert decide(CALL, person(call(outcome=outcome)), BOOK, NOW).allowed


@pytest.mark.parametrize("outcome", ["reached", "promise_to_pay", "refused", "dispute"])
def test_once_the_outcome_says_conversation_the_quiet_period_holds_its_seven_days(outcome):
    decision = decide(CALL, person(call(outcome=outcome)), BOOK, NOW)
    assert (decision.rule_id, decision.retry_at) == ("cap.calls.after_conversation", CALLED + timedelta(days=7))


def test_a_known_conversation_and_a_later_unresolved_call_both_hold_until_the_later_ends():
    conversation = call(CALLED - timedelta(days=6, hours=23), "reached")  # its quiet period ends in an hour
    unresolved = call(CALLED)
    decision = decide(CALL, person(conversation, unresolved), BOOK, CALLED + timedelta(minutes=30))
    assert (decision.rule_id, decision.retry_at) == ("cap.calls.after_conversation", CALLED + timedelta(hours=24))


def test_the_rule_book_says_for_how_long_and_zero_means_never():
    assert decide(CALL, person(call()), counting_for(6), NOW + timedelta(hours=4)).allowed
    assert not decide(CALL, person(call()), counting_for(6), NOW).allowed
    assert decide(CALL, person(call()), counting_for(0), NOW).allowed
    assert decide(CALL, person(call()), counting_for(24 * 30), CALLED + timedelta(days=7)).allowed  # never past 7 days


def test_only_calls_to_the_borrower_count_and_only_calls_are_held():
    assert decide(CALL, person(call(recipient="emergency_contact")), BOOK, NOW).allowed
    assert decide(replace(CALL, channel="sms", purpose="reminder"), person(call()), BOOK, NOW).allowed
    sms = Attempt("sms", PHONE, "borrower", CALLED)
    assert decide(CALL, person(sms), BOOK, NOW).allowed
