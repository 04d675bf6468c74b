"""What every service under test shares: its own database and topics on the real broker and
Postgres, start and stop, SQL, HTTP, clock ticks, and reading back what it emitted or dead-lettered.

Each service's helper (overdue, outreach, dispatch, agreement) subclasses `ServiceUnderTest` with
its name, its app factory and the topic it publishes, and adds the builders its tests speak in.
"""
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

import aiohttp
import asyncpg

from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.runtime import ServiceRuntime, dead_letter_topic
from tests.helpers.kafka import produce, read_topic
from tests.helpers.loan_events import SHANGHAI
from tests.helpers.naming import unique_suffix
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the borrower's (and portfolio's) zone, Asia/Shanghai."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def tick(now: datetime) -> bytes:
    """A clock.ticked event; the same bytes sent twice are the same event (one id)."""
    _, value = encode(ClockTicked(now=now), source="tests/clock", time=now, subject="clock")
    return value


def isolated_settings(settings_class, stack: Stack, database_url: str, suffix: str, tokens: str, **overrides):
    """Settings on the test's own database, topics (every `*_topic` gets the suffix) and consumer group.

    model_copy, not keyword arguments: pydantic-settings lets environment variables win over
    keywords for aliased fields, and `make test` exports the stack's variables."""
    defaults = settings_class()
    topics = {name: f"{getattr(defaults, name)}-{suffix}" for name in settings_class.model_fields
              if name.endswith("_topic")}
    return defaults.model_copy(update=topics | dict(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
        consumer_group=f"{defaults.consumer_group}-{suffix}", http_host="127.0.0.1", http_port=0,
        api_tokens=tokens) | overrides)


def new_suffix() -> str:
    return unique_suffix()


@dataclass
class ServiceUnderTest:
    stack: Stack
    settings: Any
    runtime: ServiceRuntime | None = field(default=None, init=False)

    service: ClassVar[str]  # the service's name: its database role, dead-letter topic prefix
    events_topic: ClassVar[str]  # the settings field naming the topic it publishes
    consumed_topics: ClassVar[tuple[str, ...]]  # the settings fields naming the topics it consumes
    settings_class: ClassVar[type]
    app_factory: ClassVar[Any]  # staticmethod(create_app): settings -> ServiceRuntime
    tokens: ClassVar[str]  # API_TOKENS for the test
    test_settings: ClassVar[dict] = {}  # what tests change from the defaults (sandboxes off, say)

    @classmethod
    def settings_for(cls, stack: Stack, database_url: str, suffix: str, **overrides):
        return isolated_settings(cls.settings_class, stack, database_url, suffix, cls.tokens,
                                 **(cls.test_settings | overrides))

    def make_runtime(self) -> ServiceRuntime:
        return self.app_factory(self.settings)

    @classmethod
    async def create(cls, stack: Stack, **overrides):
        """Not started yet: on a fresh database owned by the service's role, with its own topics."""
        database_url = await stack.create_database(cls.service)
        return cls(stack, cls.settings_for(stack, database_url, new_suffix(), **overrides))

    @classmethod
    @asynccontextmanager
    async def running(cls, stack: Stack, **overrides):
        """A started service on its own database and topics; stopped and dropped afterwards."""
        service = await cls.create(stack, **overrides)
        try:
            await service.start()
            yield service
        finally:
            await service.close()

    async def start(self) -> None:
        self.runtime = self.make_runtime()
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def close(self) -> None:
        """Stop and drop the test's database."""
        await self.stop()
        await self.stack.drop_database(self.settings.database_url)

    # --- what goes in -------------------------------------------------------------------------

    async def produce(self, topic_field: str, events) -> None:
        """(key, bytes) pairs onto the topic the settings field names."""
        topic = getattr(self.settings, topic_field)
        await produce(self.stack.bootstrap, [(topic, key, value) for key, value in events])

    async def send_delinquency(self, *events: tuple[str, bytes]) -> None:
        await self.produce("delinquency_events_topic", events)

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

    async def processed(self, value: bytes) -> None:
        """Wait until the service has taken the event (its id is in the inbox, claimed in the batch's
        transaction): whatever it changed is committed."""
        event_id = json.loads(value)["id"]
        await eventually(lambda: self.query("SELECT 1 FROM inbox WHERE event_id = $1 AND NOT EXISTS"
                                            " (SELECT 1 FROM held_events WHERE event_id = $1)", event_id),
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

    # --- what comes out -----------------------------------------------------------------------

    async def all_published(self) -> None:
        """Wait until the outbox is drained: everything emitted so far can be read back from Kafka."""
        async def drained():
            return not await self.query("SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL LIMIT 1")

        await eventually(drained, what="the outbox drained to Kafka")

    async def raw_emitted(self) -> list:
        return await read_topic(self.stack.bootstrap, getattr(self.settings, self.events_topic))

    async def emitted(self, event_type: str | None = None, **where) -> list[dict]:
        """The published events in topic order per partition (one key: one partition)."""
        events = [json.loads(r.value) for r in await self.raw_emitted()]
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
        for topic_field in self.consumed_topics:
            topic = dead_letter_topic(self.service, getattr(self.settings, topic_field))
            records += await read_topic(self.stack.bootstrap, topic)
        return records

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
        """A request to the service's API; `raw` sends bytes as they are (for malformed JSON)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = "application/json"
        async with aiohttp.ClientSession() as session:
            async with session.request(method, f"http://127.0.0.1:{self.runtime.http_port}{path}", headers=headers,
                                       json=body if raw is None else None, data=raw) as response:
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
