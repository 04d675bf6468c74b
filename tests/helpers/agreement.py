"""Agreement tracking under test: its own database and topics, the real broker and Postgres.

Inbound events (delinquency, dispatch's visit completions, loan payments, clock ticks) are built
here and encoded by the one codec; the clock is only what the test ticks. Every borrower lives in
Asia/Shanghai, the portfolio's zone; times are their wall clock.
"""
import hashlib
import json
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg

from services.agreement.app import create_app
from services.agreement.domain.months import add_months
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.settings import AgreementSettings
from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.delinquency import LoanBecameOverdue, LoanClosedOut, LoanCured
from shared.events.dispatch import NegotiatedTerms, VisitCompleted
from shared.runtime import ServiceRuntime
from tests.helpers.kafka import produce, read_topic
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually

TOKENS = "t-sup:supervisor,t-col:collector,t-portal:customer_portal,t-dialer:dialer"
SUPERVISOR, COLLECTOR, PORTAL, DIALER = "t-sup", "t-col", "t-portal", "t-dialer"
POLICY = AgreementPolicy.load()  # policy/agreement.default.json

TODAY = date(2026, 3, 2)  # the service clock starts here, 09:00
OVERDUE_DAY = TODAY - timedelta(days=1)  # the business date the test loans became overdue
OVERDUE = 3_000_000  # 30,000.00 CNY


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tick(now: datetime) -> bytes:
    """A clock.ticked event; the same bytes sent twice are the same event (one id)."""
    _, value = encode(ClockTicked(now=now), source="tests/clock", time=now, subject="clock")
    return value


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


def agreement_settings(stack: Stack, database_url: str, suffix: str, **overrides) -> AgreementSettings:
    # model_copy, not keyword arguments: pydantic-settings lets environment variables win over
    # keywords for aliased fields, and `make test` exports the stack's variables.
    return AgreementSettings().model_copy(update=dict(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
        loan_events_topic=f"loan-events-{suffix}", clock_topic=f"clock-{suffix}",
        delinquency_events_topic=f"delinquency-events-{suffix}", outreach_events_topic=f"outreach-events-{suffix}",
        dispatch_events_topic=f"dispatch-events-{suffix}", agreement_events_topic=f"agreement-events-{suffix}",
        consumer_group=f"agreement-{suffix}", http_host="127.0.0.1", http_port=0, api_tokens=TOKENS,
        sandbox_signatures=False, **overrides,
    ))


@asynccontextmanager
async def running_agreement(stack: Stack, **overrides):
    """A started service on its own database and topics; stopped and dropped afterwards."""
    service = await AgreementUnderTest.create(stack, **overrides)
    try:
        await service.start()
        yield service
    finally:
        await service.close()


@dataclass
class AgreementUnderTest:
    stack: Stack
    settings: AgreementSettings
    runtime: ServiceRuntime | None = None

    @classmethod
    async def create(cls, stack: Stack, **overrides) -> "AgreementUnderTest":
        database_url = await stack.create_database("agreement")
        return cls(stack, agreement_settings(stack, database_url, uuid.uuid4().hex[:10], **overrides))

    async def start(self) -> None:
        self.runtime = create_app(self.settings)
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def close(self) -> None:
        await self.stop()
        await self.stack.drop_database(self.settings.database_url)

    # --- what goes in -------------------------------------------------------------------------

    async def send_delinquency(self, *events: tuple[str, bytes]) -> None:
        await produce(self.stack.bootstrap, [(self.settings.delinquency_events_topic, k, v) for k, v in events])

    async def send_dispatch(self, *events: tuple[str, bytes]) -> None:
        await produce(self.stack.bootstrap, [(self.settings.dispatch_events_topic, k, v) for k, v in events])

    async def send_loan_events(self, *events: tuple[str, str, bytes]) -> None:
        """Loan events as the loan_events builders make them: (event id, key, bytes)."""
        await produce(self.stack.bootstrap, [(self.settings.loan_events_topic, key, value) for _, key, value in events])

    async def tick(self, now: datetime) -> None:
        """Send a tick and wait until the service has handled it (its clock reads `now`)."""
        await produce(self.stack.bootstrap, [(self.settings.clock_topic, "clock", tick(now))])

        async def reached():
            rows = await self.query("SELECT now FROM service_clock")
            return bool(rows) and rows[0]["now"] >= now

        await eventually(reached, what=f"the service clock at {now.isoformat()}")

    async def processed(self, value: bytes) -> None:
        """Wait until the service has taken the event (its id is in the inbox, claimed in the batch's
        transaction): whatever it changed is committed."""
        event_id = json.loads(value)["id"]
        await eventually(lambda: self.query("SELECT 1 FROM inbox WHERE event_id = $1", event_id),
                         what=f"event {event_id} processed")

    async def handled(self, value: bytes) -> None:
        """Wait until the service has taken the event or dead-lettered it (a dead letter never reaches
        the inbox): the test then asserts which."""
        event_id = json.loads(value)["id"]

        async def done():
            if await self.query("SELECT 1 FROM inbox WHERE event_id = $1", event_id):
                return True
            return any(r.value == value for r in await self.dead_letters())  # the original bytes

        await eventually(done, what=f"event {event_id} processed or dead-lettered")

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

    async def all_published(self) -> None:
        """Wait until the outbox is drained: everything emitted so far can be read back from Kafka."""
        async def drained():
            return not await self.query("SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1")

        await eventually(drained, what="the outbox drained to Kafka")

    async def emitted(self, event_type: str | None = None, **where) -> list[dict]:
        """agreement-events in topic order per partition (one loan: one key, one partition)."""
        records = await read_topic(self.stack.bootstrap, self.settings.agreement_events_topic)
        events = [json.loads(r.value) for r in records]
        return [e for e in events if (event_type is None or e["type"] == event_type)
                and all(e["data"].get(k) == v for k, v in where.items())]

    async def wait_emitted(self, event_type: str, count: int = 1, **where) -> list[dict]:
        """At least `count` events of the type whose data match `where`; returns them all."""
        async def enough():
            found = await self.emitted(event_type, **where)
            return found if len(found) >= count else None

        return await eventually(enough, what=f"{count} {event_type} {where or ''}")

    async def dead_letters(self) -> list:
        records = []
        for topic in (self.settings.loan_events_topic, self.settings.delinquency_events_topic,
                      self.settings.dispatch_events_topic, self.settings.clock_topic):
            records += await read_topic(self.stack.bootstrap, f"agreement.{topic}.dlq")
        return records

    async def agreement(self, agreement_id: str) -> dict:
        status, body = await self.get(f"/agreements/{agreement_id}", SUPERVISOR)
        assert status == 200, body
        return body

    async def query(self, sql: str, *args) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    # --- HTTP ---------------------------------------------------------------------------------

    async def http(self, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as session:
            async with session.request(method, f"http://127.0.0.1:{self.runtime.http_port}{path}", headers=headers,
                                       json=body) as response:
                return response.status, await response.json()

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, dict]:
        return await self.http("POST", path, token, body)

    async def get(self, path: str, token: str | None = None) -> tuple[int, dict]:
        return await self.http("GET", path, token)
