"""Rules run in one documented order and the first objection is the one recorded."""
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.outreach.domain.model import Attempt, ContactRequest, PersonHistory, Preferences
from services.outreach.domain.rule_engine import RULES, decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.windows import HoursWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "+8613800000001"
BOOK = RuleBook.load()
CALL = ContactRequest("cust-1", "case-1", "call", "borrower", PHONE, "collection")

DOCUMENTED_ORDER = [
    ("complaint", "complaint.open"),
    ("paid_up", "loan.paid_up"),
    ("dispute", "dispute.open"),
    ("agreement", "agreement.in_force"),
    ("stop_contact", "preference.stop_contact"),
    ("invalid_destination", "destination.invalid"),
    ("preferred_channel", "preference.channel"),
    ("preferred_hours", "preference.hours"),
    ("contact_hours", "hours.window"),
    ("daily_cap", "cap.daily.call"),
    ("rolling_call_cap", "cap.calls.rolling_7d"),
    ("quiet_after_conversation", "cap.calls.after_conversation"),
    ("unanswered_per_number", "cap.calls.unanswered_per_number"),
]


def everything_wrong() -> PersonHistory:
    """A borrower call that every borrower rule objects to at 22:00 local."""
    today = [datetime(2026, 6, 10, 8, tzinfo=SHANGHAI) + timedelta(minutes=m) for m in range(6)]
    calls = [Attempt("call", PHONE, "borrower", at, "no_answer") for at in today]
    conversation = Attempt("call", PHONE, "borrower", datetime(2026, 6, 9, 10, tzinfo=SHANGHAI), "reached")
    return PersonHistory(
        "Asia/Shanghai", attempts=tuple(calls) + (conversation,), open_complaint=True, phones=frozenset({PHONE}),
        invalid_destinations=frozenset({PHONE}), paid_up_cases=frozenset({"case-1"}),
        disputed_cases=frozenset({"case-1"}), agreement_cases=frozenset({"case-1"}), agreement_in_force=True,
        preferences=Preferences(True, "sms", HoursWindow(time(18), time(20))),
    )


def test_the_table_lists_the_sections_in_the_documented_order():
    sections = [section for section, _ in RULES]

    assert sections == ["complaint", "paid_up", "dispute", "agreement", "stop_contact", "third_party", "third_party",
                        "invalid_destination", "preferred_channel", "preferred_hours", "contact_hours", "daily_cap",
                        "rolling_call_cap", "quiet_after_conversation", "unanswered_per_number"]


def test_switching_rules_off_one_by_one_reveals_each_objection_in_order():
    person, book, now = everything_wrong(), BOOK, datetime(2026, 6, 10, 22, tzinfo=SHANGHAI)
    seen = []
    for section, _ in DOCUMENTED_ORDER:
        seen.append(decide(CALL, person, book, now).rule_id)
        book = book.model_copy(update={section: getattr(book, section).model_copy(update={"enabled": False})})

    assert seen == [rule_id for _, rule_id in DOCUMENTED_ORDER]
    assert decide(CALL, person, book, now).allowed


def test_third_party_rules_come_after_a_complaint_and_a_stop_request_but_before_the_rest():
    locate = replace(CALL, recipient="emergency_contact", destination="+8613900000009", purpose="collection")
    person, now = everything_wrong(), datetime(2026, 6, 10, 22, tzinfo=SHANGHAI)
    person = replace(person, paid_up_cases=frozenset(), disputed_cases=frozenset(), agreement_cases=frozenset(),
                     agreement_in_force=False)
    no_stop = replace(person, open_complaint=False, preferences=Preferences())

    assert decide(locate, person, BOOK, now).rule_id == "complaint.open"
    assert decide(locate, replace(person, open_complaint=False), BOOK, now).rule_id == "preference.stop_contact"
    assert decide(locate, no_stop, BOOK, now).rule_id == "third_party.locate_only"
    delivered = Attempt("sms", PHONE, "borrower", datetime(2026, 6, 10, 9, tzinfo=SHANGHAI), "delivered")
    reachable = replace(no_stop, invalid_destinations=frozenset(), attempts=no_stop.attempts + (delivered,))
    locate = replace(locate, purpose="locate")
    assert decide(locate, reachable, BOOK, now).rule_id == "third_party.unreachable_only"
    assert decide(locate, no_stop, BOOK, now).rule_id == "hours.window"  # unreachable: the other rules apply
