"""Builders of inbound events for tests: valid by construction, encoded by the one codec."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.events import loan
from shared.events.clock import ClockTicked
from shared.events.codec import encode

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def originated(loan_id: str, customer_id: str, schedule: list[tuple[date, int]], on: date) -> tuple[str, str, bytes]:
    data = loan.LoanOriginated(
        loan_id=loan_id, product="Phone X", merchant="Mall Electronics", currency="CNY",
        principal=sum(amount for _, amount in schedule),
        schedule=[loan.Instalment(sequence=n, due_date=d, amount_due=a) for n, (d, a) in enumerate(schedule, 1)],
        borrower=loan.Borrower(
            customer_id=customer_id, name="Test Borrower", phones=["13800000000"],
            address=loan.Address(line="1 Test Road", city="Shanghai"), time_zone="Asia/Shanghai",
        ),
    )
    return _wrap(data, local(on, 9), loan_id)


def payment(payment_id: str, loan_id: str, amount: int, paid_at: datetime, event_id: str | None = None):
    data = loan.PaymentReceived(payment_id=payment_id, loan_id=loan_id, amount=amount, currency="CNY",
                                paid_at=paid_at, channel="alipay")
    return _wrap(data, paid_at, loan_id, event_id)


def reversal(payment_id: str, loan_id: str, amount: int, reversed_at: datetime):
    data = loan.PaymentReversed(payment_id=payment_id, loan_id=loan_id, amount=amount, currency="CNY",
                                reversed_at=reversed_at, reason="chargeback")
    return _wrap(data, reversed_at, loan_id)


def closed(loan_id: str, reason: str, at: datetime):
    return _wrap(loan.LoanClosed(loan_id=loan_id, reason=reason, closed_at=at), at, loan_id)


def disputed(dispute_id: str, loan_id: str, at: datetime, reason: str = "goods_returned"):
    return _wrap(loan.LoanDisputed(loan_id=loan_id, dispute_id=dispute_id, reason=reason, disputed_at=at), at, loan_id)


def dispute_resolved(dispute_id: str, loan_id: str, at: datetime, outcome: str = "rejected"):
    return _wrap(loan.LoanDisputeResolved(loan_id=loan_id, dispute_id=dispute_id, outcome=outcome, resolved_at=at),
                 at, loan_id)


def tick_closing(day: date) -> tuple[str, bytes]:
    """The tick just after midnight that ends business date `day`."""
    now = datetime.combine(day + timedelta(days=1), time(0, 0, 5), SHANGHAI)
    _, value = encode(ClockTicked(now=now), source="tests/clock", time=now, subject="clock")
    return "clock", value


def _wrap(data, at: datetime, key: str, event_id: str | None = None) -> tuple[str, str, bytes]:
    event_id, value = encode(data, source="tests/loan-system", time=at, subject=key, event_id=event_id)
    return event_id, key, value
