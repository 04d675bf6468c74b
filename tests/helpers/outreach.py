"""Outreach under test: its own database and topics, the real broker and Postgres, a local gateway.

The channel provider is the webhook one, pointed at `Gateway`: a local HTTP server that records
every request and answers with a status the test can change (200 by default). Outcomes are then
only what the test reports over HTTP, so nothing happens behind the test's back.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import asyncpg
from aiohttp import web

from services.outreach.app import create_app
from services.outreach.domain.rulebook import DEFAULT_RULEBOOK_PATH
from services.outreach.domain.strategy import StrategyTable
from services.outreach.settings import OutreachSettings
from shared.events.codec import encode
from shared.events.delinquency import LoanBecameOverdue
from tests.helpers.loan_events import SHANGHAI, originated
from tests.helpers.service_under_test import ServiceUnderTest, at, new_suffix, tick  # noqa: F401
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually

CUSTOMER_IDS = [f"C{n}" for n in range(1, 10)] + ["CA", "CB"]  # borrowers the tests name
# a borrower's portal token is personal (token:customer_portal:<customer id>); "t-portal" is C1's
TOKENS = ",".join(["t-portal:customer_portal:C1", "t-sup:supervisor", "t-dialer:dialer", "t-other:observer"]
                  + [f"t-portal-{customer_id}:customer_portal:{customer_id}" for customer_id in CUSTOMER_IDS])


def portal_token(customer_id: str) -> str:
    """The portal token of a borrower the tests named (one of CUSTOMER_IDS)."""
    return f"t-portal-{customer_id}"

POLICY_VERSION = json.loads(DEFAULT_RULEBOOK_PATH.read_text())["version"]  # rulebook.default.json
STRATEGY = StrategyTable.load()
LOAN_START = date(2026, 1, 5)
SCHEDULE = [(date(2026, 2, 5), 60_000), (date(2026, 3, 5), 60_000), (date(2026, 4, 5), 60_000)]
OVERDUE_DAY = date(2026, 2, 6)  # the business date the first instalment became overdue


def champion_case_id(label: str) -> str:
    """A case id the default strategy runs on its champion table (the split is a hash of the id)."""
    for n in range(1000):
        case_id = f"case-{label}-{n}"
        if STRATEGY.variant_of(case_id) == "champion":
            return case_id
    raise AssertionError("no champion case id found")


def became_overdue(loan_id: str, customer_id: str, case_id: str, *, business_date: date = OVERDUE_DAY,
                   overdue_amount: int = 60_000, outstanding_amount: int = 180_000, risk_segment: str = "medium",
                   bucket: str = "1-30", days_past_due: int = 1) -> tuple[str, bytes]:
    """delinquency.loan_became_overdue as overdue detection publishes it, written just after midnight."""
    data = LoanBecameOverdue(loan_id=loan_id, customer_id=customer_id, case_id=case_id, business_date=business_date,
                             days_past_due=days_past_due, bucket=bucket, overdue_amount=overdue_amount,
                             outstanding_amount=outstanding_amount, currency="CNY", risk_segment=risk_segment)
    written = datetime.combine(business_date + timedelta(days=1), datetime.min.time(), SHANGHAI) + timedelta(seconds=5)
    _, value = encode(data, source="tests/overdue", time=written, subject=loan_id)
    return loan_id, value


class Gateway:
    """A local SMS gateway and dialer: records every request, answers `status` (changeable mid-test)."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict[str, Any]] = []

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{kind}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append({"path": request.path, "key": request.headers.get("Idempotency-Key"),
                              "body": await request.json()})
        return web.json_response({}, status=self.status)

    def keys(self) -> list[str]:
        return [seen["key"] for seen in self.requests]


@dataclass
class OutreachUnderTest(ServiceUnderTest):
    gateway: Gateway
    service: ClassVar[str] = "outreach"
    events_topic: ClassVar[str] = "outreach_events_topic"
    consumed_topics: ClassVar[tuple[str, ...]] = ("loan_events_topic", "delinquency_events_topic",
                                                  "dispatch_events_topic", "agreement_events_topic", "clock_topic")
    settings_class: ClassVar[type] = OutreachSettings
    app_factory = staticmethod(create_app)
    tokens: ClassVar[str] = TOKENS
    test_settings: ClassVar[dict] = {"channel_provider": "webhook", "webhook_timeout_seconds": 2.0}

    @classmethod
    async def create(cls, stack: Stack, **overrides) -> "OutreachUnderTest":
        gateway = Gateway()
        url = await gateway.start()
        database_url = await stack.create_database("outreach")
        return cls(stack, cls.settings_for(stack, database_url, new_suffix(), webhook_url=url, **overrides), gateway)

    async def close(self) -> None:
        await super().close()
        await self.gateway.stop()

    # --- what goes in -------------------------------------------------------------------------

    async def send_loan_events(self, *events: tuple[str, str, bytes]) -> None:
        """Loan events as the loan_events builders make them: (event id, key, bytes)."""
        await self.produce("loan_events_topic", [(key, value) for _, key, value in events])

    async def borrower(self, loan_id: str, customer_id: str) -> None:
        """The loan's origination (phones, zone, address), waited for until outreach knows the person."""
        await self.send_loan_events(originated(loan_id, customer_id, SCHEDULE, LOAN_START))
        await eventually(lambda: self.query("SELECT 1 FROM customer_loans WHERE loan_id = $1", loan_id),
                         what=f"loan {loan_id} known")

    async def overdue_case(self, loan_id: str, customer_id: str, case_id: str, **fields) -> None:
        """A borrower (origination first) and the delinquency event that opens their case."""
        await self.borrower(loan_id, customer_id)
        await self.send_delinquency(became_overdue(loan_id, customer_id, case_id, **fields))
        await eventually(lambda: self.query("SELECT 1 FROM cases WHERE case_id = $1", case_id),
                         what=f"case {case_id} opened")

    # --- what comes out -----------------------------------------------------------------------

    async def attempts(self, customer_id: str | None = None) -> list[asyncpg.Record]:
        return await self.query("SELECT * FROM contact_attempts WHERE $1::text IS NULL OR customer_id = $1"
                                " ORDER BY decided_at, attempt_id", customer_id)

    async def wait_attempts(self, customer_id: str, count: int) -> list[asyncpg.Record]:
        async def enough():
            rows = await self.attempts(customer_id)
            return rows if len(rows) >= count else None

        return await eventually(enough, what=f"{count} contact attempts for {customer_id}")

    async def wait_dispatched(self, attempt_id: str, status: str = "sent") -> None:
        async def done():
            return await self.query("SELECT 1 FROM contact_attempts WHERE attempt_id = $1 AND dispatch_status = $2",
                                    attempt_id, status)

        await eventually(done, what=f"attempt {attempt_id} {status}")

    async def decisions(self, customer_id: str) -> list[asyncpg.Record]:
        return await self.query("SELECT * FROM contact_decisions WHERE customer_id = $1 ORDER BY decided_at",
                                customer_id)

    async def case(self, case_id: str) -> asyncpg.Record:
        rows = await self.query("SELECT * FROM cases WHERE case_id = $1", case_id)
        return rows[0]


running_outreach = OutreachUnderTest.running
