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
    Instant,
    MinorUnitsTotal,
    text,
)
from shared.events.loan import DisputeReason

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
    disputed: bool = Field(False, description="a dispute with the merchant is open: no collection of this loan")


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


class LoanPaidUp(Contract):
    """A payment cleared everything overdue on an open case, announced as soon as it is read (not at the
    day's end, which still evaluates days past due and announces the cure): every pending contact about
    the loan stops at once."""

    loan_id: Identifier
    customer_id: Identifier
    case_id: Identifier
    payment_id: Identifier
    paid_at: Instant
    outstanding_amount: MinorUnitsTotal
    currency: Currency


class LoanDisputeChanged(Contract):
    """A dispute with the merchant opened or resolved: collection of the loan pauses or may resume."""

    loan_id: Identifier
    customer_id: Identifier
    case_id: Identifier | None = Field(description="the open case, if any")
    dispute_id: Identifier
    at: Instant


class LoanDisputeOpened(LoanDisputeChanged):
    reason: DisputeReason


class LoanDisputeResolved(LoanDisputeChanged):
    outcome: Literal["upheld", "rejected"]
