"""Builders of the events outreach follows beyond a loan becoming overdue, as (key, bytes) pairs encoded by the
one codec: a payment clearing what was overdue, disputes, snapshots with their `disputed` flag, agreements.
Used by the service tier and by the integration tests of outreach."""
from datetime import date, datetime, timedelta

from shared.events import agreement, delinquency
from shared.events.codec import encode
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.outreach import OVERDUE_DAY

SIGNED_TEXT_HASH = "ab" * 32


def _wrap(data, when: datetime, key: str, source: str) -> tuple[str, bytes]:
    _, value = encode(data, source=source, time=when, subject=key)
    return key, value


def snapshot(kind: type, loan_id: str, customer_id: str, case_id: str | None, *, business_date: date = OVERDUE_DAY,
             disputed: bool = False, overdue_amount: int = 60_000, **fields) -> tuple[str, bytes]:
    """A delinquency snapshot (became overdue, bucket changed, cured...) written just after its day ended."""
    values = dict(loan_id=loan_id, customer_id=customer_id, case_id=case_id, business_date=business_date,
                  days_past_due=1 if overdue_amount else 0, bucket="1-30" if overdue_amount else None,
                  overdue_amount=overdue_amount, outstanding_amount=180_000, currency="CNY", risk_segment="medium",
                  disputed=disputed) | fields
    written = datetime.combine(business_date + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return _wrap(kind(**values), written + timedelta(seconds=5), loan_id, "tests/overdue")


def became_overdue(loan_id: str, customer_id: str, case_id: str, **fields) -> tuple[str, bytes]:
    return snapshot(delinquency.LoanBecameOverdue, loan_id, customer_id, case_id, **fields)


def cured(loan_id: str, customer_id: str, case_id: str, business_date: date, **fields) -> tuple[str, bytes]:
    return snapshot(delinquency.LoanCured, loan_id, customer_id, case_id, business_date=business_date,
                    overdue_amount=0, **fields)


def paid_up(loan_id: str, customer_id: str, case_id: str, payment_id: str, paid_at: datetime) -> tuple[str, bytes]:
    data = delinquency.LoanPaidUp(loan_id=loan_id, customer_id=customer_id, case_id=case_id, payment_id=payment_id,
                                  paid_at=paid_at, outstanding_amount=120_000, currency="CNY")
    return _wrap(data, paid_at, loan_id, "tests/overdue")


def dispute_opened(loan_id: str, customer_id: str, case_id: str | None, dispute_id: str,
                   when: datetime) -> tuple[str, bytes]:
    data = delinquency.LoanDisputeOpened(loan_id=loan_id, customer_id=customer_id, case_id=case_id,
                                         dispute_id=dispute_id, at=when, reason="goods_not_received")
    return _wrap(data, when, loan_id, "tests/overdue")


def dispute_resolved(loan_id: str, customer_id: str, case_id: str | None, dispute_id: str, when: datetime,
                     outcome: str = "rejected") -> tuple[str, bytes]:
    data = delinquency.LoanDisputeResolved(loan_id=loan_id, customer_id=customer_id, case_id=case_id,
                                           dispute_id=dispute_id, at=when, outcome=outcome)
    return _wrap(data, when, loan_id, "tests/overdue")


def signed(agreement_id: str, loan_id: str, customer_id: str, case_id: str | None,
           when: datetime) -> tuple[str, bytes]:
    data = agreement.AgreementSigned(agreement_id=agreement_id, case_id=case_id, loan_id=loan_id,
                                     customer_id=customer_id, signed_at=when, method="e_signature",
                                     text_hash=SIGNED_TEXT_HASH)
    return _wrap(data, when, loan_id, "tests/agreement")


def broken(agreement_id: str, loan_id: str, customer_id: str, case_id: str | None,
           when: datetime) -> tuple[str, bytes]:
    data = agreement.AgreementBroken(agreement_id=agreement_id, case_id=case_id, loan_id=loan_id,
                                     customer_id=customer_id, missed_instalments=2, unpaid=40_000)
    return _wrap(data, when, loan_id, "tests/agreement")


def fulfilled(agreement_id: str, loan_id: str, customer_id: str, case_id: str | None,
              when: datetime) -> tuple[str, bytes]:
    data = agreement.AgreementFulfilled(agreement_id=agreement_id, case_id=case_id, loan_id=loan_id,
                                        customer_id=customer_id, fulfilled_at=when)
    return _wrap(data, when, loan_id, "tests/agreement")
