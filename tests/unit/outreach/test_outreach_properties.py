"""Whatever the requests and the clock do, what the rule book allows stays within hours and caps.

Random requests arrive at random times around daylight-saving changes in
several zones, under randomly tuned rule books; every allowed request becomes
an attempt with a random outcome, so later decisions see it.
"""
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.outreach.domain.model import CONVERSATION_OUTCOMES, Attempt, ContactRequest, PersonHistory, Preferences
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import (
    ContactHours,
    DailyCap,
    QuietAfterConversation,
    RollingCallCap,
    RuleBook,
    UnansweredPerNumber,
)
from services.outreach.domain.windows import HoursWindow, local

ZONES = ["America/New_York", "Asia/Shanghai", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]
CLOCK_CHANGES = [datetime(2026, 3, 8, 7), datetime(2026, 11, 1, 6), datetime(2026, 3, 29, 1),
                 datetime(2026, 10, 25, 1), datetime(2026, 4, 4, 15), datetime(2026, 10, 3, 15)]
PHONES = ("+10000000001", "+10000000002", "+10000000099")  # two of the borrower's, one emergency contact
# Mostly no contact, as in real life; a conversation now and then starts a quiet period.
OUTCOMES = [None, "delivered", "failed", "wrong_number"] + ["no_answer"] * 8 + sorted(CONVERSATION_OUTCOMES)
SECOND = timedelta(seconds=1)


@st.composite
def rule_books(draw) -> RuleBook:
    start = draw(st.sampled_from([time(8), time(2, 30), time(1, 30), time(9, 15)]))
    return RuleBook(
        version="property",
        contact_hours=ContactHours(start=start, end=draw(st.sampled_from([time(21), time(17, 45), time(23, 59)]))),
        daily_cap=DailyCap(sms=draw(st.integers(1, 4)), call=draw(st.integers(1, 8)),
                           visit=draw(st.none() | st.integers(1, 2))),
        rolling_call_cap=RollingCallCap(max_attempts=draw(st.integers(1, 10)), days=draw(st.integers(1, 7))),
        quiet_after_conversation=QuietAfterConversation(days=draw(st.integers(1, 7))),
        unanswered_per_number=UnansweredPerNumber(max_per_day=draw(st.integers(1, 6))),
    )


preferred_hours = st.sampled_from([None, None, None, HoursWindow(time(9), time(12)), HoursWindow(time(18), time(22))])
starts = st.builds(lambda change, minutes: change.replace(tzinfo=UTC) + timedelta(minutes=minutes),
                   st.sampled_from(CLOCK_CHANGES), st.integers(-5 * 24 * 60, 2 * 24 * 60))


@st.composite
def request_runs(draw) -> list[tuple]:
    """Requests at one tempo (dense runs hit the caps, sparse ones the windows and rolling spans)."""
    tempo = draw(st.sampled_from([15, 90, 720, 3 * 24 * 60]))  # the longest gap between requests, minutes
    outcomes = OUTCOMES if draw(st.booleans()) else OUTCOMES[:-len(CONVERSATION_OUTCOMES)]
    return draw(st.lists(st.tuples(
        st.integers(0, tempo),
        st.sampled_from(["sms", "call", "call", "visit"]),
        st.sampled_from([0, 0, 0, 0, 1, 1, 2]),  # which number; 2 is the emergency contact's
        st.sampled_from(["collection", "locate", "locate"]),
        st.sampled_from(outcomes),
    ), min_size=5, max_size=60))


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), book=rule_books(), hours=preferred_hours, now=starts,
       steps=request_runs())
def test_allowed_contacts_never_break_hours_caps_or_the_quiet_period(zone, book, hours, now, steps):
    person = PersonHistory(zone, preferences=Preferences(preferred_hours=hours), phones=frozenset(PHONES[:2]))
    for minutes, channel, number, purpose, outcome in steps:
        now += timedelta(minutes=minutes)
        recipient = "emergency_contact" if number == 2 else "borrower"
        request = ContactRequest("cust", "case", channel, recipient, PHONES[number], purpose)
        decision = decide(request, person, book, now)
        if decision.allowed:
            person = person.with_attempt(Attempt(channel, PHONES[number], recipient, now, outcome))
        elif decision.retry_at is not None:
            assert_retry_is_the_earliest_allowed_instant(request, person, book, now, decision.retry_at)
    assert_within_hours(person, book)
    assert_within_daily_caps(person, book)
    assert_within_rolling_call_cap(person, book)
    assert_no_call_in_quiet_periods(person, book)


def assert_retry_is_the_earliest_allowed_instant(request, person, book, now, retry_at):
    assert retry_at > now
    assert decide(request, person, book, retry_at).allowed
    if retry_at - SECOND >= now:
        assert not decide(request, person, book, retry_at - SECOND).allowed


def assert_within_hours(person: PersonHistory, book: RuleBook) -> None:
    for attempt in person.attempts:
        wall = local(attempt.at, person.zone).time()
        assert book.contact_hours.start <= wall < book.contact_hours.end, (attempt, wall)
        window = person.preferences.preferred_hours
        if window and attempt.recipient == "borrower":
            assert window.start <= wall < window.end, (attempt, wall)


def assert_within_daily_caps(person: PersonHistory, book: RuleBook) -> None:
    per_day = Counter((a.channel, local(a.at, person.zone).date()) for a in person.attempts)
    for (channel, day), count in per_day.items():
        assert count <= (book.daily_cap.limit(channel) or count), (channel, day, count)
    unanswered = Counter((a.destination, local(a.at, person.zone).date()) for a in person.attempts
                         if a.channel == "call" and a.outcome == "no_answer")
    assert all(count <= book.unanswered_per_number.max_per_day for count in unanswered.values())


def assert_within_rolling_call_cap(person: PersonHistory, book: RuleBook) -> None:
    span = timedelta(days=book.rolling_call_cap.days)
    calls = [a.at for a in person.attempts if a.channel == "call"]
    for last in calls:  # the busiest windows end on a call
        assert sum(1 for at in calls if last - span < at <= last) <= book.rolling_call_cap.max_attempts


def assert_no_call_in_quiet_periods(person: PersonHistory, book: RuleBook) -> None:
    quiet = timedelta(days=book.quiet_after_conversation.days)
    for n, talk in enumerate(person.attempts):
        if talk.recipient == "borrower" and talk.outcome in CONVERSATION_OUTCOMES:
            later_calls = [a.at for a in person.attempts[n + 1:] if a.channel == "call"]
            assert all(at >= talk.at + quiet for at in later_calls), (talk, later_calls)
