"""Outbound contract of overdue detection: a loan's delinquency changed."""
from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import Contract, Currency, Identifier, MinorUnits

RiskSegment = Literal["low", "medium", "high"]


class DelinquencySnapshot(Contract):
    """What every delinquency event says about the loan on `business_date`."""

    loan_id: Identifier
    customer_id: Identifier
    case_id: str | None = Field(default=None, description="the delinquency episode; stable across replays")
    business_date: date
    days_past_due: int = Field(ge=0)
    bucket: str | None = Field(default=None, description="configured DPD range, none when not overdue")
    overdue_amount: MinorUnits
    outstanding_amount: MinorUnits
    currency: Currency
    risk_segment: RiskSegment


class LoanBecameOverdue(DelinquencySnapshot):
    pass


class LoanBucketChanged(DelinquencySnapshot):
    previous_bucket: str


class LoanCured(DelinquencySnapshot):
    pass


class LoanSettled(DelinquencySnapshot):
    pass


class LoanClosedOut(DelinquencySnapshot):
    reason: Literal["paid_off", "written_off", "sold"]
