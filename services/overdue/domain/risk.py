"""Risk segment: a transparent points score from the loan's own data.

Each factor scores points; the total picks the segment.

=============================  ==========================  ======
factor                         value                       points
=============================  ==========================  ======
days past due                  8-30 / 31-60 / 61-90 / 91+  1/2/3/4
due instalments paid late      >= 20% / >= 50%             1/2
prior delinquency episodes     1 / 2 or more               1/2
share of the loan repaid       <= 50% / <= 20%             1/2
overdue amount / principal     >= 10% / >= 30%             1/2
=============================  ==========================  ======

Total below 3 is "low", below 6 "medium", otherwise "high" (at most 12).
Shares are exact fractions, so the same inputs always give the same segment.
"""
from dataclasses import dataclass, fields
from fractions import Fraction

from shared.events.delinquency import RiskSegment

DAYS_PAST_DUE_POINTS = ((91, 4), (61, 3), (31, 2), (8, 1))
PAID_LATE_SHARE_POINTS = ((Fraction(1, 2), 2), (Fraction(1, 5), 1))
PRIOR_EPISODE_POINTS = ((2, 2), (1, 1))
UNREPAID_SHARE_POINTS = ((Fraction(4, 5), 2), (Fraction(1, 2), 1))  # repaid <= 20% / <= 50%
OVERDUE_SHARE_POINTS = ((Fraction(3, 10), 2), (Fraction(1, 10), 1))
MEDIUM_FROM_POINTS = 3
HIGH_FROM_POINTS = 6


@dataclass(frozen=True)
class RiskInputs:
    days_past_due: int
    overdue_amount: int
    outstanding_amount: int
    principal: int
    paid_total: int
    prior_episodes: int  # delinquency episodes before the current one
    instalments_paid_late: int  # of the instalments due so far, those paid (or still unpaid) after their due date
    instalments_due: int

    def __post_init__(self) -> None:
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"risk inputs cannot be negative: {', '.join(negative)}")


def risk_points(inputs: RiskInputs) -> int:
    repayable = inputs.paid_total + inputs.outstanding_amount
    return (
        _points(inputs.days_past_due, DAYS_PAST_DUE_POINTS)
        + _points(_share(inputs.instalments_paid_late, inputs.instalments_due), PAID_LATE_SHARE_POINTS)
        + _points(inputs.prior_episodes, PRIOR_EPISODE_POINTS)
        + _points(_share(inputs.outstanding_amount, repayable), UNREPAID_SHARE_POINTS)
        + _points(_share(inputs.overdue_amount, inputs.principal), OVERDUE_SHARE_POINTS)
    )


def risk_segment(inputs: RiskInputs) -> RiskSegment:
    points = risk_points(inputs)
    if points >= HIGH_FROM_POINTS:
        return "high"
    if points >= MEDIUM_FROM_POINTS:
        return "medium"
    return "low"


def _points(value: int | Fraction, steps: tuple[tuple[int | Fraction, int], ...]) -> int:
    return next((points for threshold, points in steps if value >= threshold), 0)


def _share(part: int, whole: int) -> Fraction:
    # Capped at 1 so an inconsistent count cannot outweigh the other factors.
    if whole == 0:
        return Fraction(1 if part > 0 else 0)
    return min(Fraction(part, whole), Fraction(1))
