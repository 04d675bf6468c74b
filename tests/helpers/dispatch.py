"""Visit dispatch under test: its own database and topics, the real broker and Postgres.

Inbound events are built here and encoded by the one codec; the clock is only what the test
ticks. Every borrower and collector lives in Asia/Shanghai; times are their wall clock.
"""
import json
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg

from services.dispatch.app import create_app
from services.dispatch.settings import DispatchSettings
from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.delinquency import LoanCured
from shared.events.loan import Address
from shared.events.outreach import ComplaintOpened, VisitRequested
from shared.runtime import ServiceRuntime
from tests.helpers.kafka import produce, read_topic
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually

TOKENS = "t-sup:supervisor,t-col:collector,t-portal:customer_portal"
SUPERVISOR, COLLECTOR, PORTAL = "t-sup", "t-col", "t-portal"

TODAY = date(2026, 3, 2)  # a Monday: the service clock starts here
TOMORROW = TODAY + timedelta(days=1)  # the day visits are confirmed for
EVERY_DAY = {str(day): {"start": "09:00", "end": "20:00"} for day in range(7)}

# Xuhui, Shanghai: where most test visits happen, and homes at known distances from it.
VISIT_POINT = (31.19, 121.44)
NEAR, NEARER, FAR = (31.21, 121.44), (31.20, 121.44), (31.30, 121.44)  # ~2.2 km, ~1.1 km, ~12 km


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def tick(now: datetime) -> bytes:
    """A clock.ticked event; the same bytes sent twice are the same event (one id)."""
    _, value = encode(ClockTicked(now=now), source="tests/clock", time=now, subject="clock")
    return value


def collector_body(name: str, *, territory: list[str] | None = None, certified_until: date | None = date(2027, 1, 31),
                   capacity: int = 6, home: tuple[float, float] = NEAR, hours: dict | None = None,
                   **extra) -> dict[str, Any]:
    """A roster entry as a supervisor posts it: certified, covering Shanghai, 09:00-20:00 every day."""
    body = {"name": name, "territory": ["Shanghai"] if territory is None else territory,
            "certified_until": certified_until.isoformat() if certified_until else None, "daily_capacity": capacity,
            "hours": EVERY_DAY if hours is None else hours,
            "home": {"latitude": home[0], "longitude": home[1]}, "time_zone": "Asia/Shanghai", **extra}
    return body


def visit_requested(request_id: str, *, customer_id: str = "C1", loan_id: str = "L1", case_id: str | None = None,
                    day: date = TOMORROW, start: tuple[int, int] = (14, 0), end: tuple[int, int] = (16, 0),
                    city: str = "Shanghai", district: str | None = "Xuhui",
                    point: tuple[float, float] | None = VISIT_POINT, confirmed_at: datetime | None = None,
                    event_id: str | None = None) -> tuple[str, bytes]:
    """outreach.visit_requested as outreach publishes it, keyed by customer: (key, bytes)."""
    confirmed_at = confirmed_at or at(TODAY, 9)
    data = VisitRequested(
        visit_request_id=request_id, case_id=case_id or f"case-{loan_id}", loan_id=loan_id, customer_id=customer_id,
        address=Address(line=f"{request_id} Test Road", city=city, district=district, postal_code="200030",
                        latitude=point[0] if point else None, longitude=point[1] if point else None),
        time_zone="Asia/Shanghai", window_start=at(day, *start), window_end=at(day, *end), confirmed_at=confirmed_at,
        overdue_amount=60_000, currency="CNY",
    )
    _, value = encode(data, source="tests/outreach", time=confirmed_at, subject=customer_id, event_id=event_id)
    return customer_id, value


def loan_cured(loan_id: str, customer_id: str, *, business_date: date = TODAY) -> tuple[str, bytes]:
    """delinquency.loan_cured as overdue detection publishes it (keyed by loan), just after midnight."""
    data = LoanCured(loan_id=loan_id, customer_id=customer_id, case_id=f"case-{loan_id}", business_date=business_date,
                     days_past_due=0, bucket=None, overdue_amount=0, outstanding_amount=120_000, currency="CNY",
                     risk_segment="medium")
    written = at(business_date + timedelta(days=1), 0) + timedelta(seconds=5)
    _, value = encode(data, source="tests/overdue", time=written, subject=loan_id)
    return loan_id, value


def complaint_opened(complaint_id: str, customer_id: str, opened_at: datetime) -> tuple[str, bytes]:
    data = ComplaintOpened(complaint_id=complaint_id, customer_id=customer_id, category="conduct", opened_at=opened_at)
    _, value = encode(data, source="tests/outreach", time=opened_at, subject=customer_id)
    return customer_id, value


def dispatch_settings(stack: Stack, database_url: str, suffix: str, **overrides) -> DispatchSettings:
    # model_copy, not keyword arguments: pydantic-settings lets environment variables win over
    # keywords for aliased fields, and `make test` exports the stack's variables.
    return DispatchSettings().model_copy(update=dict(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
        outreach_events_topic=f"outreach-events-{suffix}", delinquency_events_topic=f"delinquency-events-{suffix}",
        clock_topic=f"clock-{suffix}", dispatch_events_topic=f"dispatch-events-{suffix}",
        consumer_group=f"dispatch-{suffix}", http_host="127.0.0.1", http_port=0, api_tokens=TOKENS,
        sandbox_field_team=False, **overrides,
    ))


@asynccontextmanager
async def running_dispatch(stack: Stack, **overrides):
    """A started service on its own database and topics; stopped and dropped afterwards."""
    service = await DispatchUnderTest.create(stack, **overrides)
    try:
        await service.start()
        yield service
    finally:
        await service.close()


@dataclass
class DispatchUnderTest:
    stack: Stack
    settings: DispatchSettings
    runtime: ServiceRuntime | None = None

    @classmethod
    async def create(cls, stack: Stack, **overrides) -> "DispatchUnderTest":
        database_url = await stack.create_database("dispatch")
        return cls(stack, dispatch_settings(stack, database_url, uuid.uuid4().hex[:10], **overrides))

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

    async def send_outreach(self, *events: tuple[str, bytes]) -> None:
        """outreach-events as (key, bytes): visit requests, complaints."""
        await produce(self.stack.bootstrap, [(self.settings.outreach_events_topic, k, v) for k, v in events])

    async def send_delinquency(self, *events: tuple[str, bytes]) -> None:
        await produce(self.stack.bootstrap, [(self.settings.delinquency_events_topic, k, v) for k, v in events])

    async def tick(self, now: datetime) -> None:
        """Send a tick and wait until the service has handled it (its clock reads `now`)."""
        await produce(self.stack.bootstrap, [(self.settings.clock_topic, "clock", tick(now))])
        await self.clock_reads(now)

    async def clock_reads(self, now: datetime) -> None:
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

    async def request_visit(self, request_id: str, **fields) -> str:
        """Send a visit request and wait until it is scheduled; returns the visit id."""
        await self.send_outreach(visit_requested(request_id, **fields))
        [scheduled] = await self.wait_emitted("dispatch.visit_scheduled", visit_request_id=request_id)
        return scheduled["data"]["visit_id"]

    async def add_collector(self, body: dict) -> str:
        status, answer = await self.post("/collectors", body, SUPERVISOR)
        assert status == 201, answer
        return answer["collector_id"]

    # --- what comes out -----------------------------------------------------------------------

    async def all_published(self) -> None:
        """Wait until the outbox is drained: everything emitted so far can be read back from Kafka."""
        async def drained():
            return not await self.query("SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1")

        await eventually(drained, what="the outbox drained to Kafka")

    async def emitted(self, event_type: str | None = None, **where) -> list[dict]:
        """dispatch-events in topic order per partition (one customer: one key, one partition)."""
        records = await read_topic(self.stack.bootstrap, self.settings.dispatch_events_topic)
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
        for topic in (self.settings.outreach_events_topic, self.settings.delinquency_events_topic,
                      self.settings.clock_topic):
            records += await read_topic(self.stack.bootstrap, f"dispatch.{topic}.dlq")
        return records

    async def visit(self, visit_id: str) -> asyncpg.Record | None:
        rows = await self.query("SELECT * FROM visits WHERE visit_id = $1", visit_id)
        return rows[0] if rows else None

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

    async def put(self, path: str, body: Any, token: str | None = None) -> tuple[int, dict]:
        return await self.http("PUT", path, token, body)

    async def get(self, path: str, token: str | None = None) -> tuple[int, dict]:
        return await self.http("GET", path, token)

    async def metric(self, name: str, **labels) -> float:
        """One sample of the Prometheus text at /metrics (0 when absent)."""
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.runtime.http_port}/metrics") as response:
                text = await response.text()
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            sample, _, value = line.rpartition(" ")
            metric_name, _, rest = sample.partition("{")
            found = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
            if metric_name == name and found == wanted:
                return float(value)
        return 0.0
