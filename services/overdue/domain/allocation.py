"""Allocation of payments to a loan's instalments, and what follows from it."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ScheduledInstalment:
    sequence: int
    due_date: date
    amount_due: int

    def __post_init__(self) -> None:
        if self.amount_due < 0:
            raise ValueError("an instalment's amount due cannot be negative")


@dataclass(frozen=True)
class Payment:
    payment_id: str
    amount: int
    business_date: date

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a payment's amount must be positive")


@dataclass(frozen=True)
class InstalmentPosition:
    sequence: int
    due_date: date
    amount_due: int
    paid: int
    unpaid: int


@dataclass(frozen=True)
class Allocation:
    instalments: tuple[InstalmentPosition, ...]  # oldest first: by due date, then sequence
    paid_total: int
    credit: int


def allocate(
    schedule: Iterable[ScheduledInstalment],
    payments: Iterable[Payment],
    as_of: date | None = None,
) -> Allocation:
    """Apply the payments made on or before `as_of` (all of them when None).

    Money pays the oldest instalment not fully paid first; what is left after
    the whole schedule is paid is a credit. The result depends only on the set
    of payments, never on the order in which they arrived. A reversal is
    handled by leaving the reversed payment out: allocation is recomputed as if
    it had never been made. A payment id delivered twice counts once.
    """
    counted = [p for p in _unique(payments) if as_of is None or p.business_date <= as_of]
    remaining = paid_total = sum(p.amount for p in counted)
    positions = []
    for instalment in sorted(schedule, key=lambda i: (i.due_date, i.sequence)):
        paid = min(remaining, instalment.amount_due)
        remaining -= paid
        positions.append(InstalmentPosition(
            instalment.sequence, instalment.due_date, instalment.amount_due, paid,
            instalment.amount_due - paid,
        ))
    return Allocation(tuple(positions), paid_total, credit=remaining)


def _unique(payments: Iterable[Payment]) -> list[Payment]:
    by_id: dict[str, Payment] = {}
    for payment in payments:
        known = by_id.setdefault(payment.payment_id, payment)
        if known != payment:
            raise ValueError(f"payment {payment.payment_id!r} was given twice with different details")
    return list(by_id.values())


def days_past_due(allocation: Allocation, on: date) -> int:
    """On business date `on`: days since the oldest instalment due before `on` that is not fully paid."""
    for position in allocation.instalments:
        if position.due_date < on and position.unpaid > 0:
            return (on - position.due_date).days
    return 0


def overdue_amount(allocation: Allocation, on: date) -> int:
    """What remains unpaid of the instalments due before `on`."""
    return sum(p.unpaid for p in allocation.instalments if p.due_date < on)


def outstanding(allocation: Allocation) -> int:
    """What remains unpaid of the whole schedule."""
    return sum(p.unpaid for p in allocation.instalments)
