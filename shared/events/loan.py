"""Inbound contract: what the upstream loan systems publish on the loan-events topic."""
import itertools
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from shared.events.base import (
    Contract,
    Currency,
    Identifier,
    Instant,
    MinorUnits,
    PositiveMinorUnits,
    TimeZoneName,
)


class Instalment(Contract):
    sequence: int = Field(ge=1)
    due_date: date
    amount_due: MinorUnits


def _check_schedule(schedule: list[Instalment]) -> None:
    sequences = [instalment.sequence for instalment in schedule]
    if len(set(sequences)) != len(sequences):
        raise ValueError("instalment sequences must be unique")
    ordered = sorted(schedule, key=lambda instalment: instalment.sequence)
    if any(a.due_date > b.due_date for a, b in itertools.pairwise(ordered)):
        raise ValueError("due dates must not go backwards as the sequence rises")


class Address(Contract):
    line: str = Field(min_length=1, max_length=256)
    city: str = Field(min_length=1, max_length=64)
    district: str | None = Field(default=None, max_length=64)
    postal_code: str | None = Field(default=None, max_length=16)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class EmergencyContact(Contract):
    name: str = Field(min_length=1, max_length=128)
    phone: str = Field(min_length=3, max_length=32)
    relation: str = Field(min_length=1, max_length=32)


class Borrower(Contract):
    customer_id: Identifier
    name: str = Field(min_length=1, max_length=128)
    phones: list[str] = Field(min_length=1)
    address: Address
    time_zone: TimeZoneName
    emergency_contacts: list[EmergencyContact] = Field(default_factory=list)


class LoanOriginated(Contract):
    loan_id: Identifier
    product: str = Field(min_length=1, max_length=128)
    merchant: str = Field(min_length=1, max_length=128)
    currency: Currency
    principal: PositiveMinorUnits
    schedule: list[Instalment] = Field(min_length=1)
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
    channel: str = Field(min_length=1, max_length=32)


class PaymentReversed(Contract):
    payment_id: Identifier
    loan_id: Identifier
    amount: PositiveMinorUnits
    currency: Currency
    reversed_at: Instant
    reason: str = Field(min_length=1, max_length=64)


class LoanRescheduled(Contract):
    """Instalments due on or after `effective_from` are replaced by `schedule`.

    `effective_from` defaults to the earliest due date of the new schedule.
    """

    loan_id: Identifier
    schedule: list[Instalment] = Field(min_length=1)
    effective_from: date | None = None

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


class CustomerContactUpdated(Contract):
    customer_id: Identifier
    phones: list[str] | None = None
    address: Address | None = None
    time_zone: TimeZoneName | None = None
