"""Delinquency transitions: from a loan's position on a business date to the events it causes."""
import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from services.overdue.domain.allocation import Allocation, days_past_due, outstanding, overdue_amount
from services.overdue.domain.buckets import BucketTable

# Never change: case ids derived from it are stored downstream and must survive replays.
CASE_NAMESPACE = uuid.UUID("79f3e8e1-506a-54de-9e58-66dc85948876")

TransitionKind = Literal["became_overdue", "bucket_changed", "cured", "settled"]


@dataclass(frozen=True)
class DelinquencyState:
    case_seq: int  # episodes opened so far
    case_id: str | None  # the open episode; None when the loan is not overdue
    bucket: str | None
    settled: bool
    closed: bool

    @classmethod
    def initial(cls) -> "DelinquencyState":
        return cls(case_seq=0, case_id=None, bucket=None, settled=False, closed=False)


@dataclass(frozen=True)
class Position:
    days_past_due: int
    overdue_amount: int
    outstanding_amount: int
    paid_total: int

    @classmethod
    def of(cls, allocation: Allocation, on: date) -> "Position":
        """The position on business date `on`; `allocation` must count payments up to `on` only."""
        return cls(days_past_due(allocation, on), overdue_amount(allocation, on),
                   outstanding(allocation), allocation.paid_total)


@dataclass(frozen=True)
class Policy:
    grace_days: int
    buckets: BucketTable

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise ValueError("grace days cannot be negative")
        if self.buckets.lower_bounds[0] > self.grace_days + 1:
            raise ValueError(
                f"a loan is overdue from {self.grace_days + 1} days past due, "
                f"but the first bucket only starts at {self.buckets.lower_bounds[0]}"
            )

    def is_overdue(self, days_past_due: int) -> bool:
        return days_past_due > self.grace_days

    def bucket_for(self, days_past_due: int) -> str | None:
        return self.buckets.bucket_for(days_past_due) if self.is_overdue(days_past_due) else None


@dataclass(frozen=True)
class Transition:
    kind: TransitionKind
    case_id: str | None
    bucket: str | None
    previous_bucket: str | None = None


def case_id_for(loan_id: str, case_seq: int) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, f"{loan_id}:{case_seq}"))


def decide(
    loan_id: str, previous: DelinquencyState, position: Position, policy: Policy,
) -> tuple[DelinquencyState, list[Transition]]:
    """The new state and the transitions, oldest meaning first; none when nothing changed."""
    if previous.closed:
        return previous, []
    state, transitions = _episode(loan_id, previous, policy.bucket_for(position.days_past_due))
    is_settled = position.outstanding_amount == 0
    if is_settled and not previous.settled:
        transitions.append(Transition("settled", previous.case_id, None))
    # A reversal can reopen a settled loan; that is not an event of its own.
    return replace(state, settled=is_settled), transitions


def _episode(
    loan_id: str, previous: DelinquencyState, bucket: str | None,
) -> tuple[DelinquencyState, list[Transition]]:
    was_overdue = previous.case_id is not None
    is_overdue = bucket is not None  # Policy guarantees every overdue DPD has a bucket
    if is_overdue and not was_overdue:
        case_seq = previous.case_seq + 1
        case_id = case_id_for(loan_id, case_seq)
        state = replace(previous, case_seq=case_seq, case_id=case_id, bucket=bucket)
        return state, [Transition("became_overdue", case_id, bucket)]
    if is_overdue and bucket != previous.bucket:
        return replace(previous, bucket=bucket), [
            Transition("bucket_changed", previous.case_id, bucket, previous.bucket)]
    if was_overdue and not is_overdue:
        return replace(previous, case_id=None, bucket=None), [
            Transition("cured", previous.case_id, None, previous.bucket)]
    return previous, []


def close(previous: DelinquencyState) -> tuple[DelinquencyState, str | None]:
    """Mark the loan closed; returns the id of the episode the closure ends, if one was open."""
    return replace(previous, case_id=None, bucket=None, closed=True), previous.case_id


def clears_overdue(*, due_before: int, paid: int) -> bool:
    """Whether the money paid so far covers every instalment due before the payment's date (an
    instalment due that day is not overdue yet); the case it leaves is cured at the day's end."""
    return paid >= due_before
