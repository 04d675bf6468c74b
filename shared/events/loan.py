"""Inbound contract: what the upstream loan systems publish on the loan-events topic."""
import itertools
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from shared.events.base import (
    MAX_INSTALMENTS,
    MAX_PHONES,
    BusinessDate,
    Contract,
    Currency,
    Identifier,
    InstalmentNumber,
    Instant,
    MinorUnits,
    Phone,
    PositiveMinorUnits,
    TimeZoneName,
    optional_text,
    text,
)

MAX_EMERGENCY_CONTACTS = 10
POSTAL_CODE_PATTERN = r"^(?:[A-Za-z0-9][A-Za-z0-9 -]*)?$"  # '100022', 'SW1A 1AA', '12345-6789'; '' is no code


class Instalment(Contract):
    sequence: InstalmentNumber
    due_date: BusinessDate
    amount_due: MinorUnits


def _check_schedule(schedule: list[Instalment]) -> None:
    sequences = [instalment.sequence for instalment in schedule]
    if len(set(sequences)) != len(sequences):
        raise ValueError("instalment sequences must be unique")
    ordered = sorted(schedule, key=lambda instalment: instalment.sequence)
    if any(a.due_date > b.due_date for a, b in itertools.pairwise(ordered)):
        raise ValueError("due dates must not go backwards as the sequence rises")


class Address(Contract):
    line: str = text(256)
    city: str = text(64)
    district: str | None = optional_text(64)
    postal_code: str | None = Field(default=None, max_length=16, pattern=POSTAL_CODE_PATTERN)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class EmergencyContact(Contract):
    name: str = text(128)
    phone: Phone
    relation: str = text(32)


class Borrower(Contract):
    customer_id: Identifier
    name: str = text(128)
    phones: list[Phone] = Field(min_length=1, max_length=MAX_PHONES)
    address: Address
    time_zone: TimeZoneName
    emergency_contacts: list[EmergencyContact] = Field(default_factory=list, max_length=MAX_EMERGENCY_CONTACTS)


class LoanOriginated(Contract):
    loan_id: Identifier
    product: str = text(128)
    merchant: str = text(128)
    currency: Currency
    principal: PositiveMinorUnits
    schedule: list[Instalment] = Field(min_length=1, max_length=MAX_INSTALMENTS)
    borrower: Borrower

    @model_validator(mode="after")
    def _schedule_is_coherent(self) -> "LoanOriginated":
        _check_schedule(self.schedule)
        return self


class PaymentReceived(Contract):
    payment_id: Identifier
    loan_id: Identifier
    amount: PositiveMinorUnits
    currency: Currency
    paid_at: Instant
    channel: str = text(32, description="how the money came, e.g. app, bank_transfer")


class PaymentReversed(Contract):
    payment_id: Identifier
    loan_id: Identifier
    amount: PositiveMinorUnits
    currency: Currency
    reversed_at: Instant
    reason: str = text(64)


class LoanRescheduled(Contract):
    """Instalments due on or after `effective_from` are replaced by `schedule`.

    `effective_from` defaults to the earliest due date of the new schedule.
    """

    loan_id: Identifier
    schedule: list[Instalment] = Field(min_length=1, max_length=MAX_INSTALMENTS)
    effective_from: BusinessDate | None = None

    @model_validator(mode="after")
    def _schedule_is_coherent(self) -> "LoanRescheduled":
        _check_schedule(self.schedule)
        if self.effective_from and any(i.due_date < self.effective_from for i in self.schedule):
            raise ValueError("the new schedule may not have instalments before effective_from")
        return self

    @property
    def replaces_from(self) -> date:
        return self.effective_from or min(i.due_date for i in self.schedule)


class LoanClosed(Contract):
    loan_id: Identifier
    reason: Literal["paid_off", "written_off", "sold"]
    closed_at: Instant


DisputeReason = Literal["goods_returned", "goods_not_received", "unauthorised", "other"]


class LoanDisputed(Contract):
    """The purchase is in dispute with the merchant: all collection of the loan pauses until it is resolved."""

    loan_id: Identifier
    dispute_id: Identifier
    reason: DisputeReason
    disputed_at: Instant


class LoanDisputeResolved(Contract):
    """Upheld: the refund follows as a payment or a reschedule; rejected: collection resumes."""

    loan_id: Identifier
    dispute_id: Identifier
    outcome: Literal["upheld", "rejected"]
    resolved_at: Instant


class CustomerContactUpdated(Contract):
    customer_id: Identifier
    phones: list[Phone] | None = Field(default=None, max_length=MAX_PHONES)
    address: Address | None = None
    time_zone: TimeZoneName | None = None
