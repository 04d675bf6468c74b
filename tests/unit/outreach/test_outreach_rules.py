"""Each rule blocks what it should, lets through what it should, and never blocks when switched off."""
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.model import Attempt, ContactRequest, PersonHistory, Preferences
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.windows import HoursWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE, OTHER_PHONE, CONTACT = "+8613800000001", "+8613800000002", "+8613900000009"
BOOK = RuleBook.load()
LAX_DAILY_CAP = BOOK.model_copy(update={"daily_cap": BOOK.daily_cap.model_copy(update={"call": 10})})


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


NOW = local(10, 12)
CALL = ContactRequest("cust-1", "case-1", "call", "borrower", PHONE, "collection")
SMS = replace(CALL, channel="sms", purpose="reminder", template_id="sms.reminder.zh")
LOCATE = replace(CALL, recipient="emergency_contact", destination=CONTACT, purpose="locate")
PERSON = PersonHistory("Asia/Shanghai", phones=frozenset({PHONE, OTHER_PHONE}))


def attempts(channel: str, times: list[datetime], outcome=None, destination=PHONE, recipient="borrower"):
    return tuple(Attempt(channel, destination, recipient, at, outcome) for at in times)


def person(**changes) -> PersonHistory:
    return replace(PERSON, **changes)


def switched_off(book: RuleBook, section: str) -> RuleBook:
    return book.model_copy(update={section: getattr(book, section).model_copy(update={"enabled": False})})


UNREACHABLE = attempts("call", [local(9, h) for h in (9, 10, 11)], "no_answer")
BLOCKED = [  # rule id, section, request, person, now, book: each blocked by that rule alone
    ("complaint.open", "complaint", CALL, person(open_complaint=True), NOW, BOOK),
    ("preference.stop_contact", "stop_contact", CALL, person(preferences=Preferences(stop_contact=True)), NOW, BOOK),
    ("third_party.locate_only", "third_party", replace(LOCATE, purpose="collection"),
     person(attempts=UNREACHABLE), NOW, BOOK),
    ("third_party.unreachable_only", "third_party", LOCATE, PERSON, NOW, BOOK),
    ("destination.invalid", "invalid_destination", CALL, person(invalid_destinations=frozenset({PHONE})), NOW, BOOK),
    ("preference.channel", "preferred_channel", CALL, person(preferences=Preferences(preferred_channel="sms")),
     NOW, BOOK),
    ("preference.hours", "preferred_hours", CALL,
     person(preferences=Preferences(preferred_hours=HoursWindow(time(18), time(20)))), NOW, BOOK),
    ("hours.window", "contact_hours", CALL, PERSON, local(10, 21, 30), BOOK),
    ("cap.daily.sms", "daily_cap", SMS, person(attempts=attempts("sms", [local(10, 8), local(10, 9)])), NOW, BOOK),
    ("cap.daily.call", "daily_cap", CALL,
     person(attempts=attempts("call", [local(10, h) for h in (8, 9, 10)], "no_answer")), NOW, BOOK),
    ("cap.calls.rolling_7d", "rolling_call_cap", CALL,
     person(attempts=attempts("call", [local(d, 10) for d in (4, 5, 6, 7, 8, 9)] + [local(9, 11)], "no_answer")),
     NOW, BOOK),
    ("cap.calls.after_conversation", "quiet_after_conversation", CALL,
     person(attempts=attempts("call", [local(8, 10)], "promise_to_pay")), NOW, BOOK),
    ("cap.calls.unanswered_per_number", "unanswered_per_number", CALL,
     person(attempts=attempts("call", [local(10, 8) + timedelta(minutes=m) for m in range(6)], "no_answer")),
     NOW, LAX_DAILY_CAP),
]


@pytest.mark.parametrize("rule_id, section, request_, history, now, book", BLOCKED, ids=[b[0] for b in BLOCKED])
def test_the_rule_blocks_and_is_recorded_with_the_policy_version(rule_id, section, request_, history, now, book):
    decision = decide(request_, history, book, now)

    assert (decision.allowed, decision.rule_id, decision.policy_version) == (False, rule_id, book.version)


@pytest.mark.parametrize("rule_id, section, request_, history, now, book", BLOCKED, ids=[b[0] for b in BLOCKED])
def test_a_switched_off_rule_never_blocks(rule_id, section, request_, history, now, book):
    decision = decide(request_, history, switched_off(book, section), now)

    assert (decision.allowed, decision.rule_id) == (True, "allowed")


@pytest.mark.parametrize("request_, history, now", [
    (CALL, PERSON, NOW),
    (CALL, PERSON, local(10, 8)),  # the window's first minute
    (CALL, PERSON, local(10, 20, 59)),
    (SMS, person(attempts=attempts("sms", [local(9, 9), local(9, 10), local(10, 9)])), NOW),  # yesterday's don't count
    (CALL, person(attempts=attempts("call", [local(10, 8), local(10, 9)], "no_answer")), NOW),  # 2 of 3 today
    (CALL, person(attempts=attempts("call", [local(d, 10) for d in (3, 4, 5, 6, 7, 8, 9)], "no_answer")),
     local(10, 10)),  # the oldest of 7 left the span at this instant
    (CALL, person(attempts=attempts("call", [local(3, 12)], "reached")), local(10, 12)),  # quiet period over
    (SMS, person(attempts=attempts("call", [local(9, 12)], "reached")), NOW),  # the quiet period is for calls
    (CALL, person(attempts=attempts("call", [local(9, 12)], "reached", recipient="emergency_contact",
                                    destination=CONTACT)), NOW),  # talking to a contact is not a conversation
    (CALL, person(invalid_destinations=frozenset({OTHER_PHONE})), NOW),  # another number is invalid
    (SMS, person(preferences=Preferences(preferred_channel="sms")), NOW),
    (CALL, person(preferences=Preferences(preferred_hours=HoursWindow(time(11), time(13)))), NOW),
    (LOCATE, person(attempts=UNREACHABLE), NOW),
])
def test_a_request_no_rule_objects_to_is_allowed(request_, history, now):
    decision = decide(request_, history, BOOK, now)

    assert (decision.allowed, decision.rule_id, decision.retry_at) == (True, "allowed", None)


def test_unanswered_calls_are_counted_per_number():
    six_unanswered = attempts("call", [local(10, 8) + timedelta(minutes=m) for m in range(6)], "no_answer")
    history = person(attempts=six_unanswered)

    assert decide(CALL, history, LAX_DAILY_CAP, NOW).rule_id == "cap.calls.unanswered_per_number"
    assert decide(replace(CALL, destination=OTHER_PHONE), history, LAX_DAILY_CAP, NOW).allowed


def test_contact_hours_cover_only_the_configured_channels():
    calls_only = BOOK.model_copy(update={"contact_hours": BOOK.contact_hours.model_copy(
        update={"channels": frozenset({"call"})})})

    assert decide(SMS, PERSON, calls_only, local(10, 22)).allowed
    assert decide(CALL, PERSON, calls_only, local(10, 22)).rule_id == "hours.window"


def test_caps_are_per_person_across_loans_and_cases():
    calls_on_other_cases = attempts("call", [local(10, h) for h in (8, 9, 10)], "no_answer")

    decision = decide(replace(CALL, case_id="case-2"), person(attempts=calls_on_other_cases), BOOK, NOW)

    assert decision.rule_id == "cap.daily.call"


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        decide(CALL, PERSON, BOOK, datetime(2026, 6, 10, 12))


def test_an_unknown_time_zone_is_refused_when_the_file_is_built():
    with pytest.raises(Exception, match="Mars"):
        PersonHistory("Mars/Olympus_Mons")
