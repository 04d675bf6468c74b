"""Whether a visit may go ahead, from the facts that forbid contact: one rule, asked when a visit is
scheduled, when such a fact arrives (for every visit not yet begun) and at the door (the last check).

Each answer is a rule id ('allowed', or the rule that forbids), recorded with the policy version.
"""
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

ALLOWED = "allowed"
# holds, in the order they are reported when several apply
HOLD_RULES = ("complaint.open", "preference.stop_contact", "dispute.open", "agreement.in_force", "case.paid_up",
              "case.ended")


@dataclass(frozen=True)
class VisitPreferences:
    stop_contact: bool = False
    preferred_channel: str | None = None  # sms / call / visit
    hours_start: time | None = None  # on the borrower's own clock
    hours_end: time | None = None


@dataclass(frozen=True)
class VisitFacts:
    holds: frozenset[str]  # hold rule ids in force for the visit's customer, loan or case
    preferences: VisitPreferences | None
    window_start: datetime
    window_end: datetime
    time_zone: str


def visit_rule(facts: VisitFacts) -> str:
    """'allowed', or the first rule that forbids the visit."""
    for rule in HOLD_RULES:
        if rule in facts.holds:
            return rule
    prefs = facts.preferences
    if prefs is None:
        return ALLOWED
    if prefs.stop_contact:
        return "preference.stop_contact"
    if prefs.preferred_channel not in (None, "visit"):
        return "preference.channel"
    if prefs.hours_start is not None and prefs.hours_end is not None \
            and not _inside(facts, prefs.hours_start, prefs.hours_end):
        return "preference.hours"
    return ALLOWED


def _inside(facts: VisitFacts, hours_start: time, hours_end: time) -> bool:
    """The whole window inside the preferred hours of one day, on the borrower's own clock."""
    zone = ZoneInfo(facts.time_zone)
    start, end = facts.window_start.astimezone(zone), facts.window_end.astimezone(zone)
    return start.date() == end.date() and hours_start <= start.time() and end.time() <= hours_end
