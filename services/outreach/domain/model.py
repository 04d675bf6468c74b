"""What the rule book decides about: a contact request, what is known of the person, the decision."""
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from services.outreach.domain.rulebook import Channel, Purpose
from services.outreach.domain.windows import HoursWindow

Recipient = Literal["borrower", "emergency_contact"]
Outcome = Literal[
    "delivered", "failed", "no_answer", "wrong_number", "reached", "promise_to_pay", "refused", "dispute",
]
CONVERSATION_OUTCOMES: frozenset[str] = frozenset({"reached", "promise_to_pay", "refused", "dispute"})
FAILED_OUTCOMES: frozenset[str] = frozenset({"failed", "no_answer", "wrong_number"})


@dataclass(frozen=True)
class ContactRequest:
    customer_id: str
    case_id: str
    channel: Channel
    recipient: Recipient
    destination: str  # the phone number called or texted (visits: the number the visit is arranged on)
    purpose: Purpose
    template_id: str | None = None  # None for calls and visits without a scripted message


@dataclass(frozen=True)
class Attempt:
    channel: Channel
    destination: str
    recipient: Recipient
    at: datetime
    outcome: Outcome | None = None  # None until the gateway or dialer reports back

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("an attempt's time must be time-zone aware")


@dataclass(frozen=True)
class Preferences:
    stop_contact: bool = False
    preferred_channel: Channel | None = None
    preferred_hours: HoursWindow | None = None  # on the borrower's local wall clock


ORDERING_STEP = timedelta(microseconds=1)


def change_time(now: datetime, last: datetime | None) -> datetime:
    """When a change of the borrower's preferences is in force: the service's time, or, when the clock has not
    moved since their last change (two changes within one tick), a microsecond after it.

    Every change of one borrower's preferences thus has a later time than the one before, so whoever keeps
    the latest by time (outreach itself, dispatch reading `outreach.contact_preferences_changed`) keeps the
    one made last, in whatever order the events are processed."""
    return now if last is None or now > last else last + ORDERING_STEP


@dataclass(frozen=True)
class PersonHistory:
    """One person's file, across all their loans: caps are per person, not per loan.

    `attempts` holds every attempt made about this person, to them or to their
    emergency contacts; the caps count them all, so the file as a whole never
    goes over a cap. The case sets say which of their open cases no one may act
    on, whatever the contact: the loan was paid up, is in dispute with the
    merchant, or has an agreement in force.
    """

    time_zone: str
    attempts: tuple[Attempt, ...] = ()
    open_complaint: bool = False
    preferences: Preferences = field(default_factory=Preferences)
    phones: frozenset[str] = frozenset()  # the borrower's own numbers
    invalid_destinations: frozenset[str] = frozenset()
    paid_up_cases: frozenset[str] = frozenset()  # a payment cleared what was overdue; the day's end closes them
    disputed_cases: frozenset[str] = frozenset()  # their loan's purchase is in dispute with the merchant
    agreement_cases: frozenset[str] = frozenset()  # their own loan has an agreement in force
    agreement_in_force: bool = False  # an agreement is in force on one of their loans

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not in the middle of a decision

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # zoneinfo caches instances by key

    def last_conversation_at(self) -> datetime | None:
        """When the borrower last completed a conversation with us; the one place that says what counts."""
        return max((a.at for a in self.attempts
                    if a.recipient == "borrower" and a.outcome in CONVERSATION_OUTCOMES), default=None)

    def calls_without_outcome(self) -> tuple[datetime, ...]:
        """When the borrower was called (or is about to be) with no outcome known yet: each may have been a
        conversation, and nothing says it was not until its outcome arrives."""
        return tuple(a.at for a in self.attempts
                     if a.recipient == "borrower" and a.channel == "call" and a.outcome is None)

    def failed_in_a_row(self) -> int:
        """The borrower's latest attempts that failed, counting back to the last one that did not.

        Attempts still waiting for their outcome are evidence of nothing and are skipped.
        """
        known = sorted((a for a in self.attempts if a.recipient == "borrower" and a.outcome is not None),
                       key=lambda a: a.at, reverse=True)
        return next((n for n, a in enumerate(known) if a.outcome not in FAILED_OUTCOMES), len(known))

    def with_attempt(self, attempt: Attempt) -> "PersonHistory":
        return replace(self, attempts=self.attempts + (attempt,))


@dataclass(frozen=True)
class Person:
    """A person's file and the numbers to reach them: their own (valid ones first) and their emergency contacts'."""

    history: PersonHistory
    borrower_numbers: tuple[str, ...]
    emergency_numbers: tuple[str, ...]

    def with_attempt(self, attempt: Attempt) -> "Person":
        """The same person once `attempt` is made: later decisions in the same tick count it."""
        return replace(self, history=self.history.with_attempt(attempt))


@dataclass(frozen=True)
class Block:
    """A rule's objection; `retry_at` is the earliest instant the rule itself would stop objecting."""

    rule_id: str
    retry_at: datetime | None = None  # None: only a person's action lifts it


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule_id: str  # "allowed", or the id of the rule that blocked
    policy_version: str
    retry_at: datetime | None = None  # the earliest instant the same request could be allowed
