"""Following a signed agreement: payments against its schedule, missed instalments, kept or broken.

Everything is recomputed from the schedule and the payments counted so far,
never updated in place: a reversal is handled by leaving the reversed payment
out, and the allocation comes out as if it had never been made.
"""
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Instalment

Tracked = Literal["active", "broken", "fulfilled"]


@dataclass(frozen=True)
class InstalmentPosition:
    index: int  # the instalment's place in the agreement's schedule, from 0
    due_date: date
    amount: int
    paid: int
    unpaid: int

    def __post_init__(self) -> None:
        if not (0 <= self.paid <= self.amount and self.paid + self.unpaid == self.amount):
            raise ValueError("an instalment is paid between nothing and its amount, the rest unpaid")


@dataclass(frozen=True)
class Allocation:
    instalments: tuple[InstalmentPosition, ...]  # oldest first: by due date, then schedule order
    credit: int  # paid beyond the whole schedule

    @property
    def fully_paid(self) -> bool:
        return all(p.unpaid == 0 for p in self.instalments)


def allocate(instalments: Sequence[Instalment], payments_since_signing: Iterable[int]) -> Allocation:
    """Payments pay the oldest instalment not fully paid first; what is left over is a credit.

    Only the sum of the payments matters, so their order and arrival time do
    not. The caller passes each payment once (deduplicated by payment id) and
    leaves reversed payments out.
    """
    amounts = list(payments_since_signing)
    if any(isinstance(a, bool) or not isinstance(a, int) or a <= 0 for a in amounts):
        raise ValueError("payments are positive whole numbers of minor units")
    remaining = sum(amounts)
    positions = []
    for index, (due_date, amount) in sorted(enumerate(instalments), key=lambda e: (e[1].due_date, e[0])):
        paid = min(remaining, amount)
        remaining -= paid
        positions.append(InstalmentPosition(index, due_date, amount, paid, amount - paid))
    return Allocation(tuple(positions), credit=remaining)


def missed(allocation: Allocation, today: date, grace_days: int, already_reported: Collection[int] = ()) -> list[int]:
    """Indexes of instalments missed by the end of business date `today` and not reported yet, oldest first.

    Missed: more than `grace_days` days past its due date and not fully paid,
    counting the payments of `today` and before (like days past due: with
    grace 3, an instalment due on the 10th paid on the 13th was never missed).
    Passing the indexes already reported makes a missed event go out once.
    """
    if grace_days < 0:
        raise ValueError("grace days cannot be negative")
    return [p.index for p in _in_arrears(allocation, today, grace_days) if p.index not in already_reported]


def status_after(allocation: Allocation, today: date, policy: AgreementPolicy) -> Tracked:
    """Fulfilled when everything is paid; broken when too many instalments are missed; active otherwise.

    The count is of instalments missed and still unpaid on `today`: a borrower
    who catches up on a missed instalment (the oldest is paid first) is back in
    good standing, since the agreement is about getting paid, not punishing
    lateness that was made good.
    """
    if allocation.fully_paid:
        return "fulfilled"
    arrears = _in_arrears(allocation, today, policy.grace_days)
    # also broken when the whole schedule has fallen due (and its grace passed) unpaid: with fewer
    # missed instalments than the threshold it would otherwise stay "active" for ever
    schedule_over = all((today - p.due_date).days > policy.grace_days for p in allocation.instalments)
    if len(arrears) >= policy.missed_instalments_to_break or (arrears and schedule_over):
        return "broken"
    return "active"


def _in_arrears(allocation: Allocation, today: date, grace_days: int) -> list[InstalmentPosition]:
    return [p for p in allocation.instalments if p.unpaid > 0 and (today - p.due_date).days > grace_days]
