"""Outbound contract of agreement tracking: a repayment agreement from proposal to kept or broken."""
from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import Contract, Identifier, Instant, MinorUnits, PositiveMinorUnits
from shared.events.dispatch import NegotiatedTerms


class AgreementRef(Contract):
    agreement_id: Identifier
    case_id: Identifier | None = None
    loan_id: Identifier
    customer_id: Identifier


class AgreementProposed(AgreementRef):
    terms: NegotiatedTerms
    requires_approval: bool
    policy_version: str = Field(min_length=1, max_length=64)
    source: Literal["visit", "staff"]
    proposed_at: Instant


class AgreementApproved(AgreementRef):
    approved_at: Instant


class AgreementSigned(AgreementRef):
    signed_at: Instant
    method: Literal["in_person_tablet", "e_signature", "paper_scan"]
    text_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the agreement text the borrower signed")


class AgreementInstalmentPaid(AgreementRef):
    sequence: int = Field(ge=1)
    due_date: date
    amount: PositiveMinorUnits


class AgreementInstalmentMissed(AgreementRef):
    sequence: int = Field(ge=1)
    due_date: date
    unpaid: PositiveMinorUnits


class AgreementBroken(AgreementRef):
    missed_instalments: int = Field(ge=1)
    unpaid: MinorUnits


class AgreementFulfilled(AgreementRef):
    fulfilled_at: Instant


class AgreementEnded(AgreementRef):
    reason: Literal["loan_closed"]
    ended_at: Instant
