"""The rule engine: every decision to contact or not, with the rule that made it and the policy version.

The rule book (`rulebook.py`) says which rules are on and how they are tuned; this applies it.

The rules run in this fixed order and the first objection wins, so the rule
recorded is the most fundamental one: first those about the case whatever the
contact (a complaint, a paid-up loan, a dispute, an agreement in force), then the
others only a person or a new fact can lift (stop request, third-party misuse,
bad number, channel preference), then those time lifts (preferred hours, contact
hours, caps, quiet period).

=====  ===============================  ========================  ==================================
order  rule id                          rule book section         retry_at (before the search below)
=====  ===============================  ========================  ==================================
1      complaint.open                   complaint                 None
2      loan.paid_up                     paid_up                   None
3      dispute.open                     dispute                   None
4      agreement.in_force               agreement                 None
       agreement.other_loan             agreement                 None (only with holds_other_loans)
5      preference.stop_contact          stop_contact              None
6      third_party.locate_only          third_party               None
7      third_party.unreachable_only     third_party               None
8      destination.invalid              invalid_destination       None
9      preference.channel               preferred_channel         None
10     preference.hours                 preferred_hours           next preferred opening
11     hours.window                     contact_hours             next window opening
12     cap.daily.<channel>              daily_cap                 next local day
13     cap.calls.rolling_7d             rolling_call_cap          oldest call leaves the span
14     cap.calls.after_conversation     quiet_after_conversation  quiet period ends (and any below)
       cap.calls.outcome_unknown        quiet_after_conversation  a call without an outcome stops
                                                                  counting as a possible conversation
15     cap.calls.unanswered_per_number  unanswered_per_number     next local day
=====  ===============================  ========================  ==================================

A switched-off section never blocks. Rules 1-4 are about the case (`CASE_RULES`):
`collection_block` applies them alone to what is not a contact (a legal referral).
"""
from collections.abc import Callable
from datetime import datetime

from services.outreach.domain import rules_consent as consent
from services.outreach.domain import rules_timing as timing
from services.outreach.domain.model import Block, ContactRequest, Decision, PersonHistory
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.windows import local

Rule = Callable[[ContactRequest, PersonHistory, RuleBook, datetime], Block | None]
CaseRule = Callable[[str, PersonHistory, RuleBook], Block | None]

CASE_RULES: tuple[tuple[str, CaseRule], ...] = (
    ("complaint", consent.complaint_open),
    ("paid_up", consent.paid_up),
    ("dispute", consent.dispute_open),
    ("agreement", consent.agreement_in_force),
)


def _about_the_case(rule: CaseRule) -> Rule:
    def applied(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Block | None:
        return rule(request.case_id, person, book)

    return applied


RULES: tuple[tuple[str, Rule], ...] = tuple((section, _about_the_case(rule)) for section, rule in CASE_RULES) + (
    ("stop_contact", consent.stop_contact),
    ("third_party", consent.third_party_purpose),
    ("third_party", consent.third_party_unreachable),
    ("invalid_destination", consent.invalid_destination),
    ("preferred_channel", consent.preferred_channel),
    ("preferred_hours", timing.preferred_hours),
    ("contact_hours", timing.contact_hours),
    ("daily_cap", timing.daily_cap),
    ("rolling_call_cap", timing.rolling_calls),
    ("quiet_after_conversation", timing.quiet_after_conversation),
    ("unanswered_per_number", timing.unanswered_per_number),
)

# Enough for any real combination of windows and caps; more means they never meet.
MAX_RETRY_STEPS = 64


def decide(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Decision:
    local(now, person.zone)  # refuses a naive `now` before any rule reads it
    block = first_block(request, person, book, now)
    if block is None:
        return Decision(True, "allowed", book.version)
    return Decision(False, block.rule_id, book.version, _retry_at(request, person, book, block))


def first_block(request: ContactRequest, person: PersonHistory, book: RuleBook, at: datetime) -> Block | None:
    for section, rule in RULES:
        if getattr(book, section).enabled and (block := rule(request, person, book, at)):
            return block
    return None


def _retry_at(request: ContactRequest, person: PersonHistory, book: RuleBook, block: Block) -> datetime | None:
    """Follow the objections forward until none is left.

    Each rule's retry time is the earliest instant at which it alone stops
    objecting, so no instant skipped over could have been allowed, and the
    first instant no rule objects to is the earliest the request could pass:
    a window opening that lands on a capped day moves on to the next day's
    opening, a quiet period that ends at night moves to the morning.
    Preferred hours that never meet the contact hours give None.
    """
    at = block.retry_at
    for _ in range(MAX_RETRY_STEPS):
        if at is None:
            return None
        following = first_block(request, person, book, at)
        if following is None:
            return at
        at = following.retry_at
    return None


def collection_block(case_id: str, person: PersonHistory, book: RuleBook) -> Block | None:
    """The first objection of the rules about the case itself, for what is not a contact (a legal referral)."""
    for section, rule in CASE_RULES:
        if getattr(book, section).enabled and (block := rule(case_id, person, book)):
            return block
    return None
