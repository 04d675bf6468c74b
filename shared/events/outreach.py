"""Outbound contract of outreach: contact decisions and outcomes, promises, visits, complaints."""
from typing import Annotated, Literal

from pydantic import Field

from shared.events.base import (
    BusinessDate,
    Contract,
    Currency,
    DaysPastDue,
    Identifier,
    Instant,
    MinorUnitsTotal,
    PositiveMinorUnitsTotal,
    TimeZoneName,
    text,
)
from shared.events.loan import Address

Channel = Literal["sms", "call", "visit"]
LocalTime = Annotated[str, Field(min_length=5, max_length=5, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                 description="a local wall-clock time, HH:MM")]
Recipient = Literal["borrower", "emergency_contact"]
Variant = Literal["champion", "challenger"]
Outcome = Literal["delivered", "failed", "no_answer", "wrong_number", "reached", "promise_to_pay", "refused", "dispute"]


class ContactDecision(Contract):
    """What every contact decision records: who, why, under which rule and policy version."""

    customer_id: Identifier
    case_id: Identifier | None = Field(description="null for a contact outside any case")
    channel: Channel
    recipient: Recipient
    rule_id: str = text(64, description="'allowed', or the rule that blocked, e.g. 'hours.window'")
    policy_version: str = text(64)
    strategy_variant: Variant
    decided_at: Instant


class ContactAttempted(ContactDecision):
    attempt_id: Identifier
    template_id: str = text(64)


class ContactBlocked(ContactDecision):
    decision_id: Identifier
    retry_at: Instant | None = Field(description="when the rule allows a retry; null when it never does by itself")


class ContactOutcomeRecorded(Contract):
    attempt_id: Identifier
    customer_id: Identifier
    case_id: Identifier | None = Field(description="null for a contact outside any case")
    channel: Channel
    outcome: Outcome
    recorded_at: Instant


class PromiseMade(Contract):
    promise_id: Identifier
    customer_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    amount: PositiveMinorUnitsTotal
    currency: Currency
    due_date: BusinessDate


class PromiseKept(PromiseMade):
    kept_on: BusinessDate


class PromiseBroken(PromiseMade):
    paid_amount: MinorUnitsTotal


class VisitRequested(Contract):
    """A field visit the borrower agreed to, in a window confirmed with them beforehand."""

    visit_request_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    customer_id: Identifier
    address: Address
    time_zone: TimeZoneName
    window_start: Instant
    window_end: Instant
    confirmed_at: Instant
    overdue_amount: MinorUnitsTotal
    currency: Currency


class LegalReferralMade(Contract):
    referral_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    customer_id: Identifier
    overdue_amount: MinorUnitsTotal
    currency: Currency
    days_past_due: DaysPastDue


class ComplaintOpened(Contract):
    """No free text travels: the complaint's words stay in outreach's database."""

    complaint_id: Identifier
    customer_id: Identifier
    category: Literal["conduct", "privacy", "amount_disputed", "frequency", "other"]
    opened_at: Instant


class ComplaintResolved(Contract):
    complaint_id: Identifier
    customer_id: Identifier
    resolution: Literal["upheld", "rejected", "withdrawn"]
    resolved_at: Instant


class ContactPreferencesChanged(Contract):
    """What the borrower asked about being contacted, in force from `changed_at` for every service that
    contacts (messages, calls and visits): stop all contact, or only one channel, or only some hours."""

    customer_id: Identifier
    stop_contact: bool
    preferred_channel: Channel | None = None
    preferred_hours_start: LocalTime | None = Field(None, description="on the borrower's own clock, with _end")
    preferred_hours_end: LocalTime | None = None
    changed_at: Instant
