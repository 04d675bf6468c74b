"""Rules that time lifts: contact hours, daily caps, the rolling call cap, the quiet period.

Each returns a Block whose `retry_at` is the earliest instant at which that
rule alone would stop objecting, or None when it has nothing against the
request. Durations ("7 days" of the rolling cap and of the quiet period) are
exact 24-hour days, so daylight saving neither shortens nor stretches them;
"per day" caps count the borrower's local calendar day.
"""
from collections.abc import Callable
from datetime import date, datetime, timedelta

from services.outreach.domain.model import Attempt, Block, ContactRequest, PersonHistory
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.windows import local, start_of_next_day

UNKNOWN_OUTCOME_RULE = "cap.calls.outcome_unknown"


def preferred_hours(request: ContactRequest, person: PersonHistory, book: RuleBook,
                    now: datetime) -> Block | None:
    window = person.preferences.preferred_hours
    if request.recipient != "borrower" or window is None or window.contains(now, person.zone):
        return None
    return Block("preference.hours", window.next_opening(now, person.zone))


def contact_hours(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Block | None:
    rule = book.contact_hours
    if request.channel not in rule.channels or rule.window.contains(now, person.zone):
        return None
    return Block("hours.window", rule.window.next_opening(now, person.zone))


def daily_cap(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Block | None:
    cap = book.daily_cap.limit(request.channel)
    today = local(now, person.zone).date()
    if cap is None or _count_on(today, person, lambda a: a.channel == request.channel) < cap:
        return None
    return Block(f"cap.daily.{request.channel}", start_of_next_day(now, person.zone))


def rolling_calls(request: ContactRequest, person: PersonHistory, book: RuleBook, now: datetime) -> Block | None:
    """At most N calls in any span: the request waits until enough of the oldest leave the span."""
    if request.channel != "call":
        return None
    rule, span = book.rolling_call_cap, timedelta(days=book.rolling_call_cap.days)
    recent = sorted(a.at for a in person.attempts if a.channel == "call" and a.at > now - span)
    if len(recent) < rule.max_attempts:
        return None
    return Block("cap.calls.rolling_7d", recent[len(recent) - rule.max_attempts] + span)


def quiet_after_conversation(request: ContactRequest, person: PersonHistory, book: RuleBook,
                             now: datetime) -> Block | None:
    """No call for a while after a conversation, and none while a call that may have been one is unresolved:
    the absence of its outcome is no evidence (it may be in flight)."""
    if request.channel != "call":
        return None
    rule = book.quiet_after_conversation
    quiet, unknown = timedelta(days=rule.days), timedelta(hours=rule.unknown_outcome_counts_for_hours)
    last = person.last_conversation_at()
    if last is not None and now < last + quiet:
        possible = [at + min(quiet, unknown) for at in person.calls_without_outcome()]
        return Block("cap.calls.after_conversation", max([last + quiet, *possible]))
    possible = [ends for at in person.calls_without_outcome() if now < (ends := at + min(quiet, unknown))]
    return Block(UNKNOWN_OUTCOME_RULE, max(possible)) if possible else None


def unanswered_per_number(request: ContactRequest, person: PersonHistory, book: RuleBook,
                          now: datetime) -> Block | None:
    if request.channel != "call":
        return None
    today = local(now, person.zone).date()
    unanswered = _count_on(today, person, lambda a: (
        a.channel == "call" and a.destination == request.destination and a.outcome == "no_answer"))
    if unanswered < book.unanswered_per_number.max_per_day:
        return None
    return Block("cap.calls.unanswered_per_number", start_of_next_day(now, person.zone))


def _count_on(day: date, person: PersonHistory, counts: Callable[[Attempt], bool]) -> int:
    return sum(1 for a in person.attempts if counts(a) and local(a.at, person.zone).date() == day)
