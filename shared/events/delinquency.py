"""Outbound contract of overdue detection: a loan's delinquency changed."""
from typing import Literal

from pydantic import Field

from shared.events.base import (
    REQUIRED_TEXT_PATTERN,
    BusinessDate,
    Contract,
    Currency,
    DaysPastDue,
    Identifier,
    MinorUnitsTotal,
    text,
)

RiskSegment = Literal["low", "medium", "high"]
BUCKET_LENGTH = 32  # labels come from configuration (OVERDUE_BUCKETS: '1-30', '181+'): a length bound only


class DelinquencySnapshot(Contract):
    """What every delinquency event says about the loan on `business_date`.

    Every field is sent; `case_id` and `bucket` are null when there is no open case or the loan is not
    overdue (a cure, a settlement, a closure)."""

    loan_id: Identifier
    customer_id: Identifier
    case_id: Identifier | None = Field(description="the delinquency episode; stable across replays")
    business_date: BusinessDate
    days_past_due: DaysPastDue
    bucket: str | None = Field(max_length=BUCKET_LENGTH, min_length=1, pattern=REQUIRED_TEXT_PATTERN,
                               description="configured DPD range, null when not overdue")
    overdue_amount: MinorUnitsTotal
    outstanding_amount: MinorUnitsTotal
    currency: Currency
    risk_segment: RiskSegment


class LoanBecameOverdue(DelinquencySnapshot):
    pass


class LoanBucketChanged(DelinquencySnapshot):
    previous_bucket: str = text(BUCKET_LENGTH)


class LoanCured(DelinquencySnapshot):
    pass


class LoanSettled(DelinquencySnapshot):
    pass


class LoanClosedOut(DelinquencySnapshot):
    reason: Literal["paid_off", "written_off", "sold"]
