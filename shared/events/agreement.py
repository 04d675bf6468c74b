"""Outbound contract of agreement tracking: a repayment agreement from proposal to kept or broken."""
from typing import Literal

from pydantic import Field

from shared.events.base import (
    MAX_INSTALMENTS,
    BusinessDate,
    Contract,
    Identifier,
    InstalmentNumber,
    Instant,
    MinorUnitsTotal,
    PositiveMinorUnits,
    text,
)
from shared.events.dispatch import NegotiatedTerms


class AgreementRef(Contract):
    agreement_id: Identifier
    case_id: Identifier | None = Field(description="the case the agreement settles; null when there was none")
    loan_id: Identifier
    customer_id: Identifier


class AgreementProposed(AgreementRef):
    terms: NegotiatedTerms
    requires_approval: bool
    policy_version: str = text(64)
    source: Literal["visit", "staff"]
    proposed_at: Instant


class AgreementApproved(AgreementRef):
    approved_at: Instant
    approved_by: Identifier | None = Field(None, description="the approving supervisor's staff id (from the token)")


class AgreementSigned(AgreementRef):
    signed_at: Instant
    method: Literal["in_person_tablet", "e_signature", "paper_scan"]
    text_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the agreement text the borrower signed")


class AgreementInstalmentPaid(AgreementRef):
    sequence: InstalmentNumber
    due_date: BusinessDate
    amount: PositiveMinorUnits


class AgreementInstalmentMissed(AgreementRef):
    sequence: InstalmentNumber
    due_date: BusinessDate
    unpaid: PositiveMinorUnits


class AgreementBroken(AgreementRef):
    missed_instalments: int = Field(ge=1, le=MAX_INSTALMENTS)
    unpaid: MinorUnitsTotal


class AgreementFulfilled(AgreementRef):
    fulfilled_at: Instant


class AgreementEnded(AgreementRef):
    reason: Literal["loan_closed"]
    ended_at: Instant
