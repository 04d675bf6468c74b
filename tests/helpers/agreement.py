"""Agreement tracking under test: its own database and topics, the real broker and Postgres.

Inbound events (delinquency, dispatch's visit completions, loan payments, clock ticks) are built
here and encoded by the one codec; the clock is only what the test ticks. Every borrower lives in
Asia/Shanghai, the portfolio's zone; times are their wall clock.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from services.agreement.app import create_app
from services.agreement.domain.months import add_months
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.settings import AgreementSettings
from shared.events.codec import encode
from shared.events.delinquency import LoanBecameOverdue, LoanClosedOut, LoanCured
from shared.events.dispatch import NegotiatedTerms, VisitCompleted
from tests.helpers.service_under_test import ServiceUnderTest, at

CUSTOMER_IDS = [f"C{n}" for n in range(1, 10)] + ["C-unknown"]  # borrowers the tests name
# personal tokens: the supervisor who approves (sup-1), the collector whose tablet signs (col-1), and each
# borrower's portal token (token:customer_portal:<customer id>); PORTAL is C1's
TOKENS = ",".join(["t-sup:supervisor:sup-1", "t-col:collector:col-1", "t-portal:customer_portal:C1",
                   "t-dialer:dialer"]
                  + [f"t-portal-{customer_id}:customer_portal:{customer_id}" for customer_id in CUSTOMER_IDS])
SUPERVISOR, COLLECTOR, PORTAL, DIALER = "t-sup", "t-col", "t-portal", "t-dialer"


def portal_token(customer_id: str) -> str:
    """The portal token of a borrower the tests named (one of CUSTOMER_IDS)."""
    return f"t-portal-{customer_id}"

POLICY = AgreementPolicy.load()  # policy/agreement.default.json

TODAY = date(2026, 3, 2)  # the service clock starts here, 09:00
OVERDUE_DAY = TODAY - timedelta(days=1)  # the business date the test loans became overdue
OVERDUE = 3_000_000  # 30,000.00 CNY


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _written_after(business_date: date) -> datetime:
    return at(business_date + timedelta(days=1), 0) + timedelta(seconds=5)


def became_overdue(loan_id: str, customer_id: str, case_id: str | None = None, *, overdue_amount: int = OVERDUE,
                   business_date: date = OVERDUE_DAY, outstanding_amount: int | None = None) -> tuple[str, bytes]:
    """delinquency.loan_became_overdue as overdue detection publishes it (keyed by loan), just after midnight."""
    data = LoanBecameOverdue(loan_id=loan_id, customer_id=customer_id, case_id=case_id or f"case-{loan_id}",
                             business_date=business_date, days_past_due=1, bucket="1-30",
                             overdue_amount=overdue_amount, outstanding_amount=outstanding_amount or 3 * overdue_amount,
                             currency="CNY", risk_segment="medium")
    _, value = encode(data, source="tests/overdue", time=_written_after(business_date), subject=loan_id)
    return loan_id, value


def loan_cured(loan_id: str, customer_id: str, case_id: str | None = None, *,
               business_date: date = TODAY) -> tuple[str, bytes]:
    data = LoanCured(loan_id=loan_id, customer_id=customer_id, case_id=case_id or f"case-{loan_id}",
                     business_date=business_date, days_past_due=0, bucket=None, overdue_amount=0,
                     outstanding_amount=OVERDUE, currency="CNY", risk_segment="medium")
    _, value = encode(data, source="tests/overdue", time=_written_after(business_date), subject=loan_id)
    return loan_id, value


def loan_closed(loan_id: str, customer_id: str, case_id: str | None = "", *, reason: str = "written_off",
                business_date: date = TODAY) -> tuple[str, bytes]:
    """delinquency.loan_closed (the loan closed upstream: paid off, written off or sold); `case_id=None`
    as overdue detection sends it for a loan that is not overdue when it closes (no open episode)."""
    data = LoanClosedOut(loan_id=loan_id, customer_id=customer_id,
                         case_id=f"case-{loan_id}" if case_id == "" else case_id,
                         business_date=business_date, days_past_due=0, bucket=None, overdue_amount=0,
                         outstanding_amount=0, currency="CNY", risk_segment="medium", reason=reason)
    _, value = encode(data, source="tests/overdue", time=_written_after(business_date), subject=loan_id)
    return loan_id, value


def terms(amounts: list[int], first_due: date, *, waiver: int = 0, currency: str = "CNY") -> dict[str, Any]:
    """Negotiated terms as JSON: monthly instalments of `amounts` from `first_due`."""
    return {"currency": currency, "waiver_amount": waiver,
            "instalments": [{"due_date": add_months(first_due, n).isoformat(), "amount": amount}
                            for n, amount in enumerate(amounts)]}


def visit_completed(visit_id: str, loan_id: str, customer_id: str, case_id: str | None = None, *,
                    outcome: str = "negotiated", negotiated: dict | None = None, completed_at: datetime | None = None,
                    event_id: str | None = None) -> tuple[str, bytes]:
    """dispatch.visit_completed as dispatch publishes it (keyed by customer)."""
    completed_at = completed_at or at(TODAY, 15)
    data = VisitCompleted(visit_id=visit_id, case_id=case_id or f"case-{loan_id}", loan_id=loan_id,
                          customer_id=customer_id, collector_id="col-1", outcome=outcome,
                          terms=NegotiatedTerms.model_validate(negotiated) if negotiated else None,
                          evidence=[f"rec-{visit_id}"], completed_at=completed_at)
    _, value = encode(data, source="tests/dispatch", time=completed_at, subject=customer_id, event_id=event_id)
    return customer_id, value


@dataclass
class AgreementUnderTest(ServiceUnderTest):
    service: ClassVar[str] = "agreement"
    events_topic: ClassVar[str] = "agreement_events_topic"
    consumed_topics: ClassVar[tuple[str, ...]] = ("loan_events_topic", "delinquency_events_topic",
                                                  "dispatch_events_topic", "clock_topic")
    settings_class: ClassVar[type] = AgreementSettings
    app_factory = staticmethod(create_app)
    tokens: ClassVar[str] = TOKENS
    test_settings: ClassVar[dict] = {"sandbox_signatures": False}

    # --- what goes in -------------------------------------------------------------------------

    async def send_dispatch(self, *events: tuple[str, bytes]) -> None:
        await self.produce("dispatch_events_topic", events)

    async def send_loan_events(self, *events: tuple[str, str, bytes]) -> None:
        """Loan events as the loan_events builders make them: (event id, key, bytes)."""
        await self.produce("loan_events_topic", [(key, value) for _, key, value in events])

    async def open_case(self, loan_id: str, customer_id: str, case_id: str | None = None, **fields) -> str:
        """A delinquency case the service knows is open; returns its id."""
        key, value = became_overdue(loan_id, customer_id, case_id, **fields)
        await self.send_delinquency((key, value))
        await self.processed(value)
        return case_id or f"case-{loan_id}"

    async def propose(self, loan_id: str, negotiated: dict, token: str = COLLECTOR) -> str:
        status, body = await self.post("/agreements", {"loan_id": loan_id, "terms": negotiated}, token)
        assert status == 201, body
        return body["agreement_id"]

    async def sign(self, agreement_id: str, *, token: str = PORTAL, text_hash: str | None = None,
                   signer: str = "the borrower") -> tuple[int, dict]:
        """The borrower signs; by default the hash of the text GET /agreements/{id} shows."""
        if text_hash is None:
            status, shown = await self.get(f"/agreements/{agreement_id}", token)
            assert status == 200, shown
            text_hash = sha256(shown["agreement_text"])
        return await self.post(f"/agreements/{agreement_id}/sign",
                               {"signer": signer, "method": "e_signature", "text_hash": text_hash}, token)

    # --- what comes out -----------------------------------------------------------------------

    async def agreement(self, agreement_id: str) -> dict:
        status, body = await self.get(f"/agreements/{agreement_id}", SUPERVISOR)
        assert status == 200, body
        return body


running_agreement = AgreementUnderTest.running
