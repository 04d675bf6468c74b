"""The borrower's itemised statement (right to know): what is overdue and why."""
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from services.overdue.domain.allocation import Payment, ScheduledInstalment, allocate
from services.overdue.domain.delinquency import Policy, Position


@dataclass(frozen=True)
class StatementLine:
    """An instalment due before the statement date and not fully paid."""

    sequence: int
    due_date: date
    amount_due: int
    paid: int
    outstanding: int
    days_past_due: int


@dataclass(frozen=True)
class Statement:
    loan_id: str
    currency: str
    business_date: date
    lines: tuple[StatementLine, ...]
    overdue_amount: int
    outstanding_amount: int
    paid_total: int
    credit: int
    days_past_due: int
    bucket: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, money as integer minor units."""
        return {
            **asdict(self),
            "business_date": self.business_date.isoformat(),
            "lines": [{**asdict(line), "due_date": line.due_date.isoformat()} for line in self.lines],
        }


def build_statement(
    loan_id: str,
    currency: str,
    schedule: Iterable[ScheduledInstalment],
    payments: Iterable[Payment],
    on: date,
    policy: Policy,
) -> Statement:
    """The statement on business date `on`, counting every payment made on `on` or earlier."""
    allocation = allocate(schedule, payments, as_of=on)
    position = Position.of(allocation, on)
    lines = tuple(
        StatementLine(p.sequence, p.due_date, p.amount_due, p.paid, p.unpaid, (on - p.due_date).days)
        for p in allocation.instalments
        if p.due_date < on and p.unpaid > 0
    )
    return Statement(
        loan_id=loan_id,
        currency=currency,
        business_date=on,
        lines=lines,
        overdue_amount=position.overdue_amount,
        outstanding_amount=position.outstanding_amount,
        paid_total=position.paid_total,
        credit=allocation.credit,
        days_past_due=position.days_past_due,
        bucket=policy.bucket_for(position.days_past_due),
    )
