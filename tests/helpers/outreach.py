"""Outreach under test: its own database and topics, the real broker and Postgres, a local gateway.

The channel provider is the webhook one, pointed at `Gateway`: a local HTTP server that records
every request and answers with a status the test can change (200 by default). Outcomes are then
only what the test reports over HTTP, so nothing happens behind the test's back.
"""
import json
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from services.outreach.app import create_app
from services.outreach.domain.policy import DEFAULT_RULEBOOK_PATH
from services.outreach.domain.strategy import StrategyTable
from services.outreach.settings import OutreachSettings
from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.delinquency import LoanBecameOverdue
from shared.runtime import ServiceRuntime
from tests.helpers.kafka import produce, read_topic
from tests.helpers.loan_events import SHANGHAI, originated
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually

TOKENS = "t-portal:customer_portal,t-sup:supervisor,t-dialer:dialer,t-other:observer"
POLICY_VERSION = json.loads(DEFAULT_RULEBOOK_PATH.read_text())["version"]  # rulebook.default.json
STRATEGY = StrategyTable.load()
LOAN_START = date(2026, 1, 5)
SCHEDULE = [(date(2026, 2, 5), 60_000), (date(2026, 3, 5), 60_000), (date(2026, 4, 5), 60_000)]
OVERDUE_DAY = date(2026, 2, 6)  # the business date the first instalment became overdue


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the borrower's (and portfolio's) zone, Asia/Shanghai."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def champion_case_id(label: str) -> str:
    """A case id the default strategy runs on its champion table (the split is a hash of the id)."""
    for n in range(1000):
        case_id = f"case-{label}-{n}"
        if STRATEGY.variant_of(case_id) == "champion":
            return case_id
    raise AssertionError("no champion case id found")


def tick(now: datetime) -> bytes:
    """A clock.ticked event; the same bytes sent twice are the same event (one id)."""
    _, value = encode(ClockTicked(now=now), source="tests/clock", time=now, subject="clock")
    return value


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


@asynccontextmanager
async def running_outreach(stack: Stack, **overrides):
    """A started service (webhook provider to a fresh gateway) on its own database and topics."""
    service = await OutreachUnderTest.create(stack, **overrides)
    try:
        await service.start()
        yield service
    finally:
        await service.close()


def outreach_settings(stack: Stack, database_url: str, suffix: str, gateway_url: str, **overrides) -> OutreachSettings:
    # model_copy, not keyword arguments: pydantic-settings lets environment variables win over
    # keywords for aliased fields, and `make test` exports the stack's variables.
    return OutreachSettings().model_copy(update=dict(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
        loan_events_topic=f"loan-events-{suffix}", clock_topic=f"clock-{suffix}",
        delinquency_events_topic=f"delinquency-events-{suffix}", outreach_events_topic=f"outreach-events-{suffix}",
        consumer_group=f"outreach-{suffix}", http_host="127.0.0.1", http_port=0, api_tokens=TOKENS,
        channel_provider="webhook", webhook_url=gateway_url, webhook_timeout_seconds=2.0, **overrides,
    ))


@dataclass
class OutreachUnderTest:
    stack: Stack
    settings: OutreachSettings
    gateway: Gateway
    runtime: ServiceRuntime | None = None

    @classmethod
    async def create(cls, stack: Stack, **overrides) -> "OutreachUnderTest":
        gateway = Gateway()
        url = await gateway.start()
        database_url = await stack.create_database("outreach")
        return cls(stack, outreach_settings(stack, database_url, uuid.uuid4().hex[:10], url, **overrides), gateway)

    async def start(self) -> None:
        self.runtime = create_app(self.settings)
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def close(self) -> None:
        await self.stop()
        await self.gateway.stop()
        await self.stack.drop_database(self.settings.database_url)

    async def all_published(self) -> None:
        """Wait until the outbox is drained: everything emitted so far can be read back from Kafka."""
        async def drained():
            return not await self.query("SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1")

        await eventually(drained, what="the outbox drained to Kafka")

    # --- what goes in -------------------------------------------------------------------------

    async def send_loan_events(self, *events: tuple[str, str, bytes]) -> None:
        """Loan events as the loan_events builders make them: (event id, key, bytes)."""
        await produce(self.stack.bootstrap, [(self.settings.loan_events_topic, key, value) for _, key, value in events])

    async def send_delinquency(self, *events: tuple[str, bytes]) -> None:
        await produce(self.stack.bootstrap,
                      [(self.settings.delinquency_events_topic, key, value) for key, value in events])

    async def send_tick(self, value: bytes) -> None:
        await produce(self.stack.bootstrap, [(self.settings.clock_topic, "clock", value)])

    async def tick(self, now: datetime) -> None:
        """Send a tick and wait until the service has handled it (its clock reads `now`)."""
        await self.send_tick(tick(now))
        await self.clock_reads(now)

    async def clock_reads(self, now: datetime) -> None:
        async def reached():
            rows = await self.query("SELECT now FROM service_clock")
            return bool(rows) and rows[0]["now"] >= now

        await eventually(reached, what=f"the service clock at {now.isoformat()}")

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

    async def emitted(self, event_type: str | None = None) -> list[dict]:
        records = await read_topic(self.stack.bootstrap, self.settings.outreach_events_topic)
        events = [json.loads(r.value) for r in records]
        return [e for e in events if event_type is None or e["type"] == event_type]

    async def raw_emitted(self) -> list:
        return await read_topic(self.stack.bootstrap, self.settings.outreach_events_topic)

    async def wait_emitted(self, event_type: str, count: int = 1, **where) -> list[dict]:
        """At least `count` events of the type whose data match `where`; returns them all."""
        async def enough():
            found = [e for e in await self.emitted(event_type)
                     if all(e["data"].get(k) == v for k, v in where.items())]
            return found if len(found) >= count else None

        return await eventually(enough, what=f"{count} {event_type} {where or ''}")

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

    async def query(self, sql: str, *args) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def execute(self, sql: str, *args) -> str:
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            return await conn.execute(sql, *args)
        finally:
            await conn.close()

    # --- HTTP ---------------------------------------------------------------------------------

    async def http(self, method: str, path: str, token: str | None = None, body: Any = None,
                   raw: bytes | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = "application/json"
        async with aiohttp.ClientSession() as session:
            async with session.request(method, f"http://127.0.0.1:{self.runtime.http_port}{path}", headers=headers,
                                       json=body if raw is None else None, data=raw) as response:
                return response.status, await response.json()

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, dict]:
        return await self.http("POST", path, token, body)

    async def get(self, path: str, token: str | None = None) -> tuple[int, dict]:
        return await self.http("GET", path, token)
