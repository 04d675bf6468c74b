"""Outbound contract of outreach: contact decisions and outcomes, promises, visits, complaints."""
from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import Contract, Currency, Identifier, Instant, MinorUnits, PositiveMinorUnits, TimeZoneName
from shared.events.loan import Address

Channel = Literal["sms", "call", "visit"]
Recipient = Literal["borrower", "emergency_contact"]
Variant = Literal["champion", "challenger"]
Outcome = Literal["delivered", "failed", "no_answer", "wrong_number", "reached", "promise_to_pay", "refused", "dispute"]


class ContactDecision(Contract):
    """What every contact decision records: who, why, under which rule and policy version."""

    customer_id: Identifier
    case_id: Identifier | None = None
    channel: Channel
    recipient: Recipient
    rule_id: str = Field(min_length=1, max_length=64)
    policy_version: str = Field(min_length=1, max_length=64)
    strategy_variant: Variant
    decided_at: Instant


class ContactAttempted(ContactDecision):
    attempt_id: Identifier
    template_id: str = Field(min_length=1, max_length=64)


class ContactBlocked(ContactDecision):
    decision_id: Identifier
    retry_at: Instant | None = None


class ContactOutcomeRecorded(Contract):
    attempt_id: Identifier
    customer_id: Identifier
    case_id: Identifier | None = None
    channel: Channel
    outcome: Outcome
    recorded_at: Instant


class PromiseMade(Contract):
    promise_id: Identifier
    customer_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    amount: PositiveMinorUnits
    currency: Currency
    due_date: date


class PromiseKept(PromiseMade):
    kept_on: date


class PromiseBroken(PromiseMade):
    paid_amount: MinorUnits


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
    overdue_amount: MinorUnits
    currency: Currency


class LegalReferralMade(Contract):
    referral_id: Identifier
    case_id: Identifier
    loan_id: Identifier
    customer_id: Identifier
    overdue_amount: MinorUnits
    currency: Currency
    days_past_due: int = Field(ge=0)


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
