"""What the auditor reads and reports: a breach, an attempt, a contact, a span of time."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Breach:
    """One breach of the rules of conduct: `about` is the loan or the phone number it concerns, when one does."""

    kind: str
    person: str
    about: str | None
    at: datetime
    detail: str


@dataclass(frozen=True)
class Attempt:
    """An SMS or a call outreach decided to make (outreach.contact_attempted), with what its table adds."""

    attempt_id: str
    person: str
    channel: str
    recipient: str
    case_id: str | None
    template_id: str | None
    decided_at: datetime
    number: str | None = None  # the destination: only outreach's table knows it
    went_out: bool = True  # False when the table says it was cancelled, failed or is still pending
    sent_at: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None

    @property
    def at(self) -> datetime:
        """When the contact happened: the send time when one is recorded, else the decision's."""
        return self.sent_at or self.decided_at


@dataclass(frozen=True)
class Contact:
    """Someone was contacted about a person: an SMS or a call that went out, or a visit's check-in."""

    ref: str  # the attempt id or the visit id
    person: str
    channel: str
    recipient: str
    at: datetime
    case_id: str | None
    loan_id: str | None
    template_id: str | None = None
    number: str | None = None

    @property
    def about(self) -> str | None:
        return self.number or self.loan_id


@dataclass(frozen=True)
class Span:
    """A state in force after `start` and before `end` (None: still in force at the end of the data)."""

    start: datetime
    end: datetime | None
    label: str

    def covers(self, at: datetime) -> bool:
        return self.start < at and (self.end is None or at < self.end)


def first_covering(spans: list[Span], at: datetime) -> Span | None:
    return next((span for span in spans if span.covers(at)), None)
