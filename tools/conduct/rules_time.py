"""Rules of when and how often: contact hours and preferred hours on the borrower's own clock, the daily
caps, the rolling call cap, the quiet period after a conversation, unanswered calls to one number.

Times of day are read on the borrower's clock in the zone they had at the moment of the contact (zoneinfo:
daylight saving included); 'days' of the rolling cap and the quiet period are exact 24-hour days; 'per
day' caps count the borrower's local calendar day. Caps count every contact about the person, whichever
loan it is about and whoever was contacted.
"""
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tools.conduct.facts import Facts
from tools.conduct.model import Breach, Contact
from tools.conduct.rulebook import CONVERSATIONS, Book


def wall(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def _clock(facts: Facts, contact: Contact, rule: str) -> ZoneInfo | None:
    zone = facts.zone_at(contact.person, contact.at)
    if zone is None:
        facts.gaps[f"{rule}: the person's time zone is not known"] += 1
    return zone


def inside(at: time, start: time, end: time) -> bool:
    """From start (included) to end (excluded); a window that ends before it starts runs over midnight."""
    return start <= at < end if start < end else (at >= start or at < end)


def contact_hours(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        if contact.channel not in book.hours_channels or (zone := _clock(facts, contact, "contact hours")) is None:
            continue
        if not inside(contact.at.astimezone(zone).time(), *book.hours):
            yield Breach("outside_contact_hours", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} at {wall(contact.at, zone)}")


def preferred_hours(facts: Facts, book: Book) -> Iterator[Breach]:
    for contact in facts.contacts():
        stated = facts.preferences_at(contact.person, contact.at)
        if contact.recipient != "borrower" or not stated or not stated.get("preferred_hours_start") \
                or not stated.get("preferred_hours_end"):
            continue
        start, end = (time.fromisoformat(stated[f"preferred_hours_{e}"]) for e in ("start", "end"))
        if (zone := _clock(facts, contact, "preferred hours")) is None:
            continue
        if not inside(contact.at.astimezone(zone).time(), start, end):
            yield Breach("outside_preferred_hours", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref} at {wall(contact.at, zone)}, asked for {start:%H:%M}-"
                         f"{end:%H:%M} on {stated['changed_at']}")


def daily_cap(facts: Facts, book: Book) -> Iterator[Breach]:
    counted: Counter[tuple[str, str, object]] = Counter()
    for contact in facts.contacts():
        cap = book.daily_cap.get(contact.channel)
        if cap is None or (zone := _clock(facts, contact, "daily cap")) is None:
            continue
        day = contact.at.astimezone(zone).date()
        counted[(contact.person, contact.channel, day)] += 1
        if (count := counted[(contact.person, contact.channel, day)]) > cap:
            yield Breach("daily_cap", contact.person, contact.about, contact.at,
                         f"{contact.channel} {contact.ref}: number {count} on {day} ({zone.key}), cap {cap}")


def rolling_call_cap(facts: Facts, book: Book) -> Iterator[Breach]:
    span = timedelta(days=book.rolling_days)
    calls: dict[str, list[Contact]] = defaultdict(list)
    for contact in facts.contacts():
        if contact.channel == "call":
            calls[contact.person].append(contact)
    for made in calls.values():
        first = 0
        for index, call in enumerate(made):
            while made[first].at <= call.at - span:
                first += 1
            if (count := index - first + 1) > book.rolling_calls:
                yield Breach("rolling_call_cap", call.person, call.about, call.at,
                             f"call {call.ref}: {count} calls in the {book.rolling_days} x 24 h up to it, "
                             f"cap {book.rolling_calls}")


def call_after_conversation(facts: Facts, book: Book) -> Iterator[Breach]:
    quiet = timedelta(days=book.quiet_days)
    for call in facts.contacts():
        if call.channel != "call":
            continue
        talks = [a for a in facts.reported(call.person, *sorted(CONVERSATIONS)) if a.recipient == "borrower"
                 and a.went_out and a.at < call.at and call.at - a.at < quiet and (a.outcome_at or a.at) < call.at]
        if talks:
            last = talks[-1]
            yield Breach("call_after_conversation", call.person, call.about, call.at,
                         f"call {call.ref} {(call.at - last.at) / timedelta(hours=1):.1f} h after '{last.outcome}' "
                         f"on {last.attempt_id}")


def unanswered_calls_per_number(facts: Facts, book: Book) -> Iterator[Breach]:
    for call in facts.contacts():
        if call.channel != "call":
            continue
        if call.number is None:
            facts.gaps["unanswered calls per number: the number called is not known"] += 1
            continue
        if (zone := _clock(facts, call, "unanswered calls per number")) is None:
            continue
        day = call.at.astimezone(zone).date()
        unanswered = [a for a in facts.reported(call.person, "no_answer") if a.channel == "call"
                      and a.number == call.number and a.at < call.at
                      and (a.outcome_at or a.at) < call.at and a.at.astimezone(zone).date() == day]
        if len(unanswered) >= book.unanswered_per_number:
            yield Breach("unanswered_calls_per_number", call.person, call.number, call.at,
                         f"call {call.ref} after {len(unanswered)} unanswered calls to it on {day}")
