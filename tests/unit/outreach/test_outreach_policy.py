from datetime import time

import pytest
from pydantic import ValidationError

from services.outreach.domain.rulebook import DEFAULT_RULEBOOK_PATH, RuleBook


def test_the_shipped_rule_book_has_a_version_and_the_product_defaults():
    book = RuleBook.load(DEFAULT_RULEBOOK_PATH)

    assert book.version == "2026-12-03.2"
    assert book.paid_up.enabled and book.dispute.enabled and book.agreement.enabled
    assert not book.agreement.holds_other_loans  # an agreement holds its own loan only, unless policy says so
    assert (book.contact_hours.start, book.contact_hours.end) == (time(8), time(21))
    assert book.contact_hours.channels == {"sms", "call", "visit"}
    assert (book.daily_cap.sms, book.daily_cap.call, book.daily_cap.visit) == (2, 3, None)
    assert (book.rolling_call_cap.max_attempts, book.rolling_call_cap.days) == (7, 7)
    assert book.quiet_after_conversation.days == 7
    assert book.quiet_after_conversation.unknown_outcome_counts_for_hours == 24
    assert book.unanswered_per_number.max_per_day == 6
    assert book.third_party.failed_attempts_in_a_row == 3
    assert book.third_party.purposes == {"locate"}
    assert book == RuleBook(version=book.version)  # the file and the code defaults agree


def test_a_section_left_out_of_the_file_is_on_with_its_defaults():
    book = RuleBook.model_validate_json('{"version": "v1"}')

    assert all(getattr(book, name).enabled for name in RuleBook.model_fields if name != "version")


def test_every_rule_can_be_switched_off_and_tuned():
    book = RuleBook.model_validate_json(
        '{"version": "v2", "contact_hours": {"enabled": false, "start": "09:30", "end": "18:00"},'
        ' "daily_cap": {"sms": 1, "call": 2, "visit": 1}, "agreement": {"holds_other_loans": true},'
        ' "dispute": {"enabled": false}}')

    assert book.agreement.enabled and book.agreement.holds_other_loans and not book.dispute.enabled
    assert not book.contact_hours.enabled
    assert book.contact_hours.start == time(9, 30)
    assert [book.daily_cap.limit(c) for c in ("sms", "call", "visit")] == [1, 2, 1]


@pytest.mark.parametrize("text, complaint", [
    ('{"complaint": {"enabled": true}}', "version"),
    ('{"version": ""}', "version"),
    ('{"version": "v", "contact_hours": {"start": "21:00", "end": "08:00"}}', "start before it ends"),
    ('{"version": "v", "daily_cap": {"sms": 0}}', "greater than 0"),
    ('{"version": "v", "daily_cap": {"fax": 1}}', "fax"),
    ('{"version": "v", "quiet_after_conversation": {"enabeld": false}}', "enabeld"),
    ('{"version": "v", "third_party": {"purposes": ["collection", "gossip"]}}', "gossip"),
])
def test_a_rule_book_that_makes_no_sense_is_refused(text, complaint):
    with pytest.raises(ValidationError, match=complaint):
        RuleBook.model_validate_json(text)


def test_a_loaded_rule_book_cannot_be_changed_in_place():
    book = RuleBook.load()

    with pytest.raises(ValidationError):
        book.version = "tampered"
    with pytest.raises(ValidationError):
        book.contact_hours.enabled = False
