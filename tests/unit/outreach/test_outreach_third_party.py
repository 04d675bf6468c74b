"""Emergency contacts: only to locate a borrower who cannot be reached, and never told of the debt."""
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.catalog import TEMPLATES
from services.outreach.domain.model import Attempt, ContactRequest, PersonHistory, Preferences
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.templates import template_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE, SECOND_PHONE, CONTACT = "+8613800000001", "+8613800000002", "+8613900000009"
BOOK = RuleBook.load()
NOW = datetime(2026, 6, 10, 12, tzinfo=SHANGHAI)
LOCATE = ContactRequest("cust-1", "case-1", "call", "emergency_contact", CONTACT, "locate")


def tried(*outcomes, recipient="borrower", destination=PHONE) -> tuple[Attempt, ...]:
    start = datetime(2026, 6, 8, 9, tzinfo=SHANGHAI)
    return tuple(Attempt("call", destination, recipient, start + timedelta(hours=6 * n), outcome)
                 for n, outcome in enumerate(outcomes))


def borrower(*outcomes, **changes) -> PersonHistory:
    return PersonHistory("Asia/Shanghai", attempts=tried(*outcomes), phones=frozenset({PHONE, SECOND_PHONE}),
                         **changes)


def rule_for(person: PersonHistory, request: ContactRequest = LOCATE) -> str:
    return decide(request, person, BOOK, NOW).rule_id


def test_three_failed_attempts_in_a_row_make_the_borrower_unreachable():
    assert rule_for(borrower("no_answer", "failed", "wrong_number")) == "allowed"
    assert rule_for(borrower("no_answer", "no_answer")) == "third_party.unreachable_only"


def test_a_later_success_breaks_the_run_of_failures():
    assert rule_for(borrower("no_answer", "no_answer", "no_answer", "delivered")) == "third_party.unreachable_only"
    assert rule_for(borrower("delivered", "no_answer", "no_answer", "no_answer")) == "allowed"


def test_attempts_still_waiting_for_an_outcome_are_no_evidence_either_way():
    assert rule_for(borrower("no_answer", "no_answer", "no_answer", None)) == "allowed"
    assert rule_for(borrower("no_answer", "no_answer", None)) == "third_party.unreachable_only"


def test_failures_reaching_a_contact_do_not_make_the_borrower_unreachable():
    person = replace(borrower(), attempts=tried("no_answer", "no_answer", "no_answer",
                                                recipient="emergency_contact", destination=CONTACT))

    assert rule_for(person) == "third_party.unreachable_only"


def test_every_borrower_number_invalid_makes_the_borrower_unreachable():
    assert rule_for(borrower(invalid_destinations=frozenset({PHONE, SECOND_PHONE}))) == "allowed"
    assert rule_for(borrower(invalid_destinations=frozenset({PHONE}))) == "third_party.unreachable_only"


def test_a_file_without_borrower_numbers_is_not_proof_of_unreachability():
    assert rule_for(PersonHistory("Asia/Shanghai")) == "third_party.unreachable_only"


@pytest.mark.parametrize("purpose", ["reminder", "collection", "visit_confirmation"])
def test_a_contact_is_only_ever_asked_to_help_locate_the_borrower(purpose):
    unreachable = borrower("no_answer", "no_answer", "no_answer")

    assert rule_for(unreachable, replace(LOCATE, purpose=purpose)) == "third_party.locate_only"


def test_a_complaint_or_a_stop_request_also_protects_the_contacts():
    unreachable = tried("no_answer", "no_answer", "no_answer")

    assert rule_for(replace(borrower(), attempts=unreachable, open_complaint=True)) == "complaint.open"
    assert rule_for(replace(borrower(), attempts=unreachable,
                            preferences=Preferences(stop_contact=True))) == "preference.stop_contact"


def test_the_borrowers_own_channel_preference_does_not_bind_a_contact():
    person = replace(borrower("no_answer", "no_answer", "no_answer"), preferences=Preferences(preferred_channel="sms"))

    assert rule_for(person) == "allowed"


def test_calls_to_contacts_count_against_the_persons_caps():
    three_today = tuple(Attempt("call", CONTACT, "emergency_contact", NOW - timedelta(hours=h), "no_answer")
                        for h in (1, 2, 3))
    person = borrower("no_answer", "no_answer", "no_answer")
    person = replace(person, attempts=person.attempts + three_today)

    assert rule_for(person) == "cap.daily.call"


def test_a_contact_can_only_be_sent_a_third_party_template():
    assert template_for(TEMPLATES, "third_party.locate.zh", "emergency_contact").template_id == "third_party.locate.zh"
    with pytest.raises(TypeError, match="emergency contact"):
        template_for(TEMPLATES, "sms.collection.zh", "emergency_contact")
    with pytest.raises(TypeError, match="borrower"):
        template_for(TEMPLATES, "third_party.locate.zh", "borrower")
