"""Builders of the events outreach follows beyond a loan becoming overdue, as (key, bytes) pairs encoded by the
one codec: a payment clearing what was overdue, disputes, snapshots with their `disputed` flag, agreements.
Used by the service tier and by the integration tests of outreach."""
from datetime import date, datetime, timedelta

from shared.events import agreement, delinquency, loan
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


def contact_updated(customer_id: str, when: datetime, *, phones: list[str] | None = None,
                    address_line: str | None = None, time_zone: str | None = None) -> tuple[str, bytes]:
    """customer.contact_updated as the loan system writes it at `when` (its event time)."""
    address = loan.Address(line=address_line, city="Shanghai") if address_line else None
    data = loan.CustomerContactUpdated(customer_id=customer_id, phones=phones, address=address, time_zone=time_zone)
    return _wrap(data, when, customer_id, "tests/loan-system")


def originated(loan_id: str, customer_id: str, when: datetime, *, phones: list[str],
               address_line: str = "1 Test Road", time_zone: str = "Asia/Shanghai") -> tuple[str, bytes]:
    """loan.originated written at `when`, with the borrower's phones, address and zone."""
    data = loan.LoanOriginated(
        loan_id=loan_id, product="Phone X", merchant="Mall Electronics", currency="CNY", principal=180_000,
        schedule=[loan.Instalment(sequence=n, due_date=d, amount_due=60_000)
                  for n, d in enumerate((date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)), 1)],
        borrower=loan.Borrower(customer_id=customer_id, name="Test Borrower", phones=phones,
                               address=loan.Address(line=address_line, city="Shanghai"), time_zone=time_zone,
                               emergency_contacts=[loan.EmergencyContact(name="Friend", phone="13900000009",
                                                                         relation="friend")]),
    )
    return _wrap(data, when, loan_id, "tests/loan-system")
