"""The whole collection flow in one process: all four services on their own databases, talking to
each other over one set of unique topics on the real broker, fed by the loan-system simulator.

The sandbox behaviours of `make run` stand in for people: outreach's sandbox channel provider (and
its borrower who answers visit-time offers), dispatch's sandbox field team, agreement tracking's
signature at the door. The roster is created through dispatch's own API (tools/roster_seed.py).

The simulator's days are published in order, each day's events before the clock ticks that follow
them (hourly 08:00-21:00 plus 03:00 and 06:00, as `make run`, then the tick closing the day). Twice
a day, at the 21:00 tick and at the tick closing the day, the driver waits until every service's
clock has reached it, every outbox is drained and outreach has sent every attempt due: whatever a
service announced by then is on its topic before the next tick is published, so every service reads
it before it moves on (a consumer reads its other partitions to their end before it handles a tick).
Overdue detection opens cases only at a day's close, so no service sees a case before the day that
opened it has ended; between those two points the services may drift apart by some hours, as in
`make run`. The run is paced by the services rather than the wall clock: the same on a slow machine.
"""
import asyncio
import json
import time as wall
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.agreement.app import create_app as agreement_app
from services.agreement.settings import AgreementSettings
from services.dispatch.app import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.outreach.app import create_app as outreach_app
from services.outreach.settings import OutreachSettings
from services.overdue.app import create_app as overdue_app
from services.overdue.settings import OverdueSettings
from shared.kafka.admin import ensure_topics
from shared.runtime import ServiceRuntime
from simulator.book import Book, BookConfig, build_book
from simulator.messages import Topics
from simulator.publisher import make_producer
from simulator.script import Plan, build_plan
from tests.helpers.kafka import read_topic
from tests.helpers.naming import unique_suffix
from tests.helpers.process import ServiceProcess, free_port, settings_env
from tests.helpers.stack import Stack
from tests.helpers.waiting import eventually
from tools.conduct import Audit, accepted, read_attempts, run_audit
from tools.demo import HOURLY_TICKS
from tools.roster_seed import roster

TOKENS = "t-sup:supervisor:sup-1,t-col:collector:col-1,t-dialer:dialer"
SUPERVISOR, COLLECTOR, DIALER = "t-sup", "t-col", "t-dialer"


def portal_token(customer_id: str) -> str:
    """A borrower's own portal token (personal: it acts only for that customer)."""
    return f"t-portal-{customer_id}"


def tokens_with_portal(customer_ids) -> str:
    return ",".join([TOKENS] + [f"{portal_token(c)}:customer_portal:{c}" for c in customer_ids])
INTRADAY_TICKS = tuple(time.fromisoformat(t) for t in HOURLY_TICKS.split(","))
SERVICES = ("overdue", "outreach", "dispatch", "agreement")


@dataclass(frozen=True)
class RunTopics:
    """The run's topic names, unique to it."""

    loan_events: str
    clock: str
    delinquency_events: str
    outreach_events: str
    dispatch_events: str
    agreement_events: str

    @classmethod
    def with_suffix(cls, suffix: str) -> "RunTopics":
        return cls(**{name: f"{name.replace('_', '-')}-{suffix}" for name in cls.__dataclass_fields__})


@dataclass
class WholeFlow:
    stack: Stack
    customers: int
    days: int
    seed: int = 7
    suffix: str = field(default_factory=unique_suffix)
    settings: dict[str, Any] = field(default_factory=dict, repr=False)
    runtimes: dict[str, ServiceRuntime] = field(default_factory=dict, repr=False)
    watch: dict[str, asyncpg.Connection] = field(default_factory=dict, repr=False)  # one per database, to poll
    book: Book | None = field(default=None, repr=False)
    plan: Plan | None = field(default=None, repr=False)
    day_seconds: list[float] = field(default_factory=list, repr=False)
    process_logs: Path | None = None  # set: each service runs as its own OS process, logging there
    processes: dict[str, ServiceProcess] = field(default_factory=dict, repr=False)
    paused: set[str] = field(default_factory=set)  # services stopped for a while: the run goes on without them
    _zone_changes: dict[str, list] | None = field(default=None, repr=False)

    @property
    def topics(self) -> RunTopics:
        return RunTopics.with_suffix(self.suffix)

    # --- set-up and tear-down -----------------------------------------------------------------

    async def start(self) -> None:
        t = self.topics
        self.book = build_book(BookConfig(seed=self.seed, customers=self.customers, days=self.days))
        shared = dict(kafka_bootstrap_servers=self.stack.bootstrap, loan_events_topic=t.loan_events,
                      clock_topic=t.clock, delinquency_events_topic=t.delinquency_events,
                      outreach_events_topic=t.outreach_events, dispatch_events_topic=t.dispatch_events,
                      agreement_events_topic=t.agreement_events, http_host="127.0.0.1", http_port=0,
                      api_tokens=tokens_with_portal(b.customer_id for b in self.book.borrowers))
        # model_copy, not keyword arguments: pydantic-settings lets environment variables win over
        # keywords for aliased fields, and `make test` exports the stack's variables.
        own = {
            "overdue": (OverdueSettings, dict(portfolio_refresh_seconds=1.0)),
            "outreach": (OutreachSettings, dict(channel_provider="sandbox")),
            "dispatch": (DispatchSettings, dict(sandbox_field_team=True)),
            "agreement": (AgreementSettings, dict(sandbox_signatures=True)),
        }
        for name, (settings_class, extra) in own.items():
            database_url = await self.stack.create_database(name)
            self.settings[name] = settings_class().model_copy(update=dict(
                shared, database_url=database_url, consumer_group=f"{name}-{self.suffix}", **extra))
        await ensure_topics(self.stack.bootstrap, {t.loan_events: 4, t.clock: 1, t.delinquency_events: 4,
                                                   t.outreach_events: 4, t.dispatch_events: 4,
                                                   t.agreement_events: 4})
        for name in SERVICES:
            if self.process_logs is None:
                await self._start_in_process(name)
            else:
                await self._start_process(name)
            self.watch[name] = await asyncpg.connect(self.settings[name].database_url)
        self.plan = build_plan(self.book, topics=Topics(t.loan_events, t.clock), intraday_ticks=INTRADAY_TICKS)

    async def _start_in_process(self, name: str) -> None:
        makers = {"overdue": overdue_app, "outreach": outreach_app, "dispatch": dispatch_app,
                  "agreement": agreement_app}
        runtime = makers[name](self.settings[name])
        await runtime.start()
        self.runtimes[name] = runtime

    async def pause(self, name: str) -> None:
        """Stop a service (in-process) for a while: its consumer falls behind, its time stands still, and
        the others go on without waiting for it."""
        await self.runtimes.pop(name).stop()
        self.paused.add(name)

    async def resume(self, name: str) -> None:
        """Start it again: it catches up from its group's committed offsets."""
        self.paused.discard(name)
        await self._start_in_process(name)

    async def _start_process(self, name: str) -> None:
        """`python -m services.<name>` with static group membership (as a pod): a restart after a
        kill takes its partitions back at once."""
        self.settings[name] = self.settings[name].model_copy(update=dict(
            http_port=free_port(), consumer_instance_id=f"{name}-{self.suffix}-0"))
        self.processes[name] = ServiceProcess(f"services.{name}", settings_env(self.settings[name]),
                                              self.process_logs / f"{name}.log")
        self.processes[name].start()
        await self.ready(name)

    async def ready(self, name: str) -> None:
        async def answers() -> bool:
            try:
                status, _ = await self.http(name, "GET", "/readyz")
            except aiohttp.ClientError:
                return False
            return status == 200
        await eventually(answers, timeout=120, interval=0.1, what=f"{name} ready")

    def terminate_processes(self) -> dict[str, int]:
        """SIGTERM to every service process; each one's exit code (TimeoutExpired past the grace)."""
        return {name: process.terminate(grace_seconds=30) for name, process in self.processes.items()}

    async def close(self) -> None:
        for name in reversed(SERVICES):
            if name in self.watch:
                await self.watch.pop(name).close()
            if name in self.runtimes:
                await self.runtimes.pop(name).stop()
            if name in self.processes and self.processes[name].running:
                self.processes.pop(name).kill()
        for settings in self.settings.values():
            await self.stack.drop_database(settings.database_url)

    async def seed_roster(self) -> list[str]:
        """The simulated roster of `make run`, posted by a supervisor to dispatch's roster API."""
        created = []
        for collector in roster():
            status, body = await self.http("dispatch", "POST", "/collectors", SUPERVISOR, collector)
            assert status == 201, body
            created.append(body["collector_id"])
        return created

    # --- driving the simulated days -------------------------------------------------------------

    async def run_days(self, on_day=None) -> None:
        """Publish the plan day by day, settling at 21:00 and at the close; `on_day(index, day)` after each."""
        producer = make_producer(self.stack.bootstrap)
        await producer.start()
        try:
            for index, day in enumerate(self.plan.days):
                started = wall.monotonic()
                clock = self.plan.topics.clock
                last_of_day = max(i for i, m in enumerate(day.messages[:-1]) if m.topic == clock)  # 21:00
                await self._publish(producer, day.messages[:last_of_day + 1])
                await self.settle(_tick_time(day.messages[last_of_day]))
                await self._publish(producer, day.messages[last_of_day + 1:])
                await self.settle(_tick_time(day.messages[-1]))
                self.day_seconds.append(wall.monotonic() - started)
                if on_day is not None:
                    await on_day(index, day)
        finally:
            await producer.stop()

    async def publish(self, *messages: tuple[str, str, bytes]) -> None:
        """Extra events (topic, key, bytes), e.g. a payment the simulator's borrowers would not make."""
        producer = make_producer(self.stack.bootstrap)
        await producer.start()
        try:
            for topic, key, value in messages:
                await producer.send_and_wait(topic, value=value, key=key.encode())
        finally:
            await producer.stop()

    async def _publish(self, producer, messages) -> None:
        """Messages in order; every earlier send acknowledged before each clock tick is sent (the ticks
        are one partition, which keeps their order)."""
        pending = []
        for message in messages:
            if message.topic == self.plan.topics.clock:
                await asyncio.gather(*pending)
                pending = []
            pending.append(await producer.send(message.topic, value=message.value, key=message.key))
        await asyncio.gather(*pending)

    async def settle(self, now: datetime, timeout: float = 60.0) -> None:
        """Every clock at `now`, every outbox drained, every attempt due sent: twice in a row, since
        a send records an outcome that may announce more."""
        deadline = wall.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if wall.monotonic() > deadline:
                raise AssertionError(f"the services did not settle at {now.isoformat()}: {await self._state()}")
            quiet = quiet + 1 if await self._settled(now) else 0
            await asyncio.sleep(0.02)

    async def _settled(self, now: datetime) -> bool:
        for name in SERVICES:
            if name in self.paused:
                continue
            conn = self.watch[name]
            clock = await conn.fetchval("SELECT now FROM service_clock")
            if clock is None or clock < now:
                return False
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE sent_at IS NULL)"):
                return False
        if "outreach" not in self.paused and await self.watch["outreach"].fetchval(
                "SELECT EXISTS (SELECT 1 FROM contact_attempts WHERE dispatch_status = 'pending'"
                " AND next_dispatch_at <= (SELECT now FROM service_clock))"):
            # Nothing wakes outreach's sender when a tick creates attempts: it polls every half
            # second, which would pace the whole run (two waits a day). The nudge changes when it
            # sends, not what.
            for worker in getattr(self.runtimes.get("outreach"), "workers", ()):
                getattr(worker, "wake", lambda: None)()
            return False
        return True

    async def _state(self) -> dict:
        state = {}
        for name in SERVICES:
            conn = self.watch[name]
            state[name] = dict(clock=str(await conn.fetchval("SELECT now FROM service_clock")),
                               unsent=await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))
        return state

    # --- looking inside -------------------------------------------------------------------------

    async def conduct_audit(self) -> Audit:
        """The conduct auditor (tools/conduct) over every topic of the run and outreach's attempts."""
        t = self.topics
        events = {kind: await self.events(topic) for kind, topic in (
            ("delinquency", t.delinquency_events), ("outreach", t.outreach_events),
            ("dispatch", t.dispatch_events), ("agreement", t.agreement_events))}
        events["loan"] = accepted(r.value for r in await read_topic(self.stack.bootstrap, t.loan_events))
        return run_audit(events, stored=await read_attempts(lambda sql: self.query("outreach", sql)))

    async def query(self, service: str, sql: str, *args) -> list[asyncpg.Record]:
        return await self.watch[service].fetch(sql, *args)

    async def service_now(self, service: str) -> datetime:
        return await self.watch[service].fetchval("SELECT now FROM service_clock")

    async def events(self, topic: str) -> list[dict]:
        """Every event on the topic, decoded; in order per key (one key, one partition)."""
        return [json.loads(r.value) for r in await read_topic(self.stack.bootstrap, topic)]

    async def dead_letters(self) -> dict[str, list]:
        """Each service's dead-letter topics that hold anything, by name. Their end offsets are asked
        all at once and only those with records are read: on a broker holding thousands of topics
        each read costs seconds."""
        t = self.topics
        consumed = {"overdue": [t.loan_events, t.clock],
                    "outreach": [t.loan_events, t.delinquency_events, t.dispatch_events, t.agreement_events, t.clock],
                    "dispatch": [t.outreach_events, t.delinquency_events, t.agreement_events, t.clock],
                    "agreement": [t.loan_events, t.delinquency_events, t.dispatch_events, t.clock]}
        names = [f"{service}.{topic}.dlq" for service, topics in consumed.items() for topic in topics]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.stack.bootstrap, enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            existing = await consumer.topics()
            partitions = [TopicPartition(name, p) for name in names if name in existing
                          for p in consumer.partitions_for_topic(name) or ()]
            ends = await consumer.end_offsets(partitions) if partitions else {}
        finally:
            await consumer.stop()
        holding = sorted({tp.topic for tp, end in ends.items() if end > 0})
        return {name: [dict(r.headers) for r in await read_topic(self.stack.bootstrap, name)] for name in holding}

    def zone_of(self, customer_id: str, at: datetime) -> ZoneInfo:
        """The borrower's time zone at `at`: as originated, or as a later contact update set it."""
        if self._zone_changes is None:
            self._zone_changes = defaultdict(list)
            for message in self.plan.messages():
                if message.event_type == "customer.contact_updated":
                    event = json.loads(message.value)
                    if event["data"].get("time_zone"):
                        self._zone_changes[event["data"]["customer_id"]].append(
                            (instant(event["time"]), event["data"]["time_zone"]))
        zone = next(b.time_zone for b in self.book.borrowers if b.customer_id == customer_id)
        for when, changed in sorted(self._zone_changes.get(customer_id, [])):
            if when <= at:
                zone = changed
        return ZoneInfo(zone)

    # --- HTTP -------------------------------------------------------------------------------------

    async def http(self, service: str, method: str, path: str, token: str | None = None,
                   body: Any = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        port = self.runtimes[service].http_port if service in self.runtimes else self.settings[service].http_port
        async with aiohttp.ClientSession() as session:
            async with session.request(method, f"http://127.0.0.1:{port}{path}", headers=headers,
                                       json=body) as response:
                return response.status, await response.json()


def _tick_time(message) -> datetime:
    tick = json.loads(message.value)
    assert tick["type"] == "clock.ticked", message
    return instant(tick["data"]["now"])


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
