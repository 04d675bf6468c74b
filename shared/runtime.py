"""Start-up and shutdown of one service process: the small bootstrap every service shares.

Dependencies are created here, at start, and handed to the handlers; nothing connects on import.
"""
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg
from aiohttp import web

from shared import metrics
from shared.db import inbox
from shared.db.migrate import migrate, pending
from shared.db.pool import open_pool
from shared.db.ticks import TickGuard
from shared.db.tx import Emitter, UnitOfWork
from shared.kafka.admin import ensure_topics
from shared.kafka.batch import BatchHandler, BatchProcessor
from shared.kafka.consumer import BatchConsumer
from shared.kafka.holding import TimeFlow
from shared.kafka.relay import OutboxRelay
from shared.logging import configure_logging
from shared.readiness import Readiness
from shared.settings import CommonSettings
from shared.upstream import Edge
from shared.web import build_web_app

log = logging.getLogger(__name__)
Periodic = tuple[float, Callable[[], Awaitable[None]]]
PartT = TypeVar("PartT")


@dataclass
class ServiceSpec:
    """What one service is made of; everything else (pool, relay, consumer, HTTP) the runtime builds."""
    name: str
    settings: CommonSettings
    consumed_topics: list[str]
    emitter: Emitter  # the topic it publishes, its CloudEvents source, its event-id namespace
    migrations: Path
    handler: BatchHandler
    routes: Callable[[UnitOfWork], Iterable[web.RouteDef]] = lambda unit: []
    clock_topics: tuple[str, ...] = ()
    upstream: dict[str, Edge] = field(default_factory=dict)  # input topic -> how its events take effect (docs/time.md)
    held_types: frozenset[str] | None = None  # only these types are held, when given
    periodic: Callable[[UnitOfWork], list[Periodic]] = lambda unit: []
    workers: Callable[[UnitOfWork], list["Worker"]] = lambda unit: []

    @property
    def produced_topics(self) -> list[str]:
        return [self.emitter.topic]

    @property
    def consumer_group(self) -> str:
        return self.settings.consumer_group

    @property
    def topic_partitions(self) -> int:
        return self.settings.topic_partitions


class Worker(Protocol):
    """A long-running loop beside the consumer and the relay (e.g. a sender to an external gateway)."""

    async def start(self) -> None: ...
    async def run(self) -> None: ...
    def stop(self) -> None: ...
    async def close(self) -> None: ...


def run_service(name: str, settings_class: type[CommonSettings],
                create_app: Callable[[Any], "ServiceRuntime"]) -> None:
    """The body of every `python -m services.<name>`: settings from the environment, JSON logs, serve.

    `python -m services.<name> migrate` applies the database migrations and exits (a deploy's job)."""
    settings = settings_class()
    configure_logging(name, settings.log_level)
    runtime = create_app(settings)
    if sys.argv[1:] == ["migrate"]:
        asyncio.run(runtime.migrate_only())
    elif sys.argv[1:]:
        sys.exit(f"usage: python -m services.{name} [migrate]")
    else:
        asyncio.run(runtime.serve_forever())


def dead_letter_topic(service: str, topic: str) -> str:
    return f"{service}.{topic}.dlq"


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec):
        self.spec = spec
        self.readiness = Readiness("database", "kafka")
        self.pool: asyncpg.Pool | None = None
        self.unit: UnitOfWork | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: BatchConsumer | None = None
        self.workers: list[Worker] = []
        self._web_runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._worker_tasks: list[asyncio.Task[None]] = []
        self._stopped = asyncio.Event()
        self._shutting_down = False
        self._loop_died = False  # a consumer or relay loop ended: /healthz says so, the kubelet restarts us

    async def start(self) -> None:
        spec, settings = self.spec, self.spec.settings
        self.pool = await open_pool(settings.database_url, max_size=settings.db_pool_max_size)
        if settings.migrate_on_start:
            await migrate(self.pool, spec.migrations)
        elif missing := await self._wait_for_schema():
            raise RuntimeError(f"database schema is behind ({', '.join(missing)} not applied):"
                               f" run `python -m services.{spec.name} migrate` first")
        self.readiness.mark("database", True)
        if settings.create_topics:
            await ensure_topics(settings.kafka_bootstrap_servers, self._topics_to_create())
        self.relay = OutboxRelay(pool=self.pool, bootstrap_servers=settings.kafka_bootstrap_servers,
                                 readiness=self.readiness, batch_size=settings.relay_batch_size,
                                 retention_seconds=settings.outbox_retention_seconds)
        self.unit = UnitOfWork(self.pool, spec.emitter, wake=self.relay.wake)
        processor = BatchProcessor(
            service=spec.name, unit=self.unit, handler=spec.handler,
            dead_letter_topic=lambda topic: dead_letter_topic(spec.name, topic), readiness=self.readiness,
            tick_guard=TickGuard(timedelta(seconds=settings.clock_max_jump_seconds),
                                 timedelta(seconds=settings.clock_max_skew_seconds)),
            time_flow=TimeFlow(spec.upstream, spec.held_types),
        )
        self.consumer = BatchConsumer(
            topics=spec.consumed_topics, bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.consumer_group, processor=processor, readiness=self.readiness,
            max_records=settings.consumer_max_records, clock_topics=spec.clock_topics,
            instance_id=settings.consumer_instance_id, session_timeout_ms=settings.consumer_session_timeout_ms,
        )
        workers = spec.workers(self.unit)
        await self.relay.start()
        await self.consumer.start()
        for worker in workers:
            await worker.start()
            self.workers.append(worker)  # started: stop() closes it, even if a later step fails
        await self._start_http()
        periodic = [(5.0, self.relay.housekeeping), (5.0, self._pool_metrics), (2.0, self._probe_database),
                    (2.0, self._probe_kafka), (15.0, self.consumer.record_lag),
                    (3600.0, self._forget_old_inbox), *spec.periodic(self.unit)]
        self._tasks = [asyncio.create_task(self.consumer.run(), name="consumer"),
                       asyncio.create_task(self.relay.run(), name="relay")]
        for task in self._tasks:
            task.add_done_callback(self._loop_ended)
        self._worker_tasks = [asyncio.create_task(worker.run(), name=type(worker).__name__) for worker in self.workers]
        self._tasks += [asyncio.create_task(_every(i, fn), name=fn.__name__) for i, fn in periodic]
        log.info("service started", extra={"port": self.http_port})

    def _topics_to_create(self) -> dict[str, int]:
        """Consumed, produced and dead-letter topics; the clock gets one partition (one order)."""
        spec = self.spec
        topics = spec.consumed_topics + spec.produced_topics
        topics += [dead_letter_topic(spec.name, t) for t in spec.consumed_topics]
        return {t: 1 if t in spec.clock_topics else spec.topic_partitions for t in topics}

    async def _wait_for_schema(self) -> list[str]:
        """Wait (up to schema_wait_seconds) for the migration job; returns what is still pending."""
        deadline = time.monotonic() + self.spec.settings.schema_wait_seconds
        while (missing := await pending(self.pool, self.spec.migrations)) and time.monotonic() < deadline:
            log.info("waiting for the migration job", extra={"pending": len(missing)})
            await asyncio.sleep(min(5.0, max(deadline - time.monotonic(), 0.1)))
        return missing

    async def migrate_only(self) -> None:
        pool = await open_pool(self.spec.settings.database_url, max_size=1)
        try:
            applied = await migrate(pool, self.spec.migrations)
        finally:
            await pool.close()
        log.info("migrations done", extra={"applied": len(applied)})

    async def _start_http(self) -> None:
        settings, unit = self.spec.settings, self._started(self.unit)
        app = build_web_app(self.readiness, settings.api_tokens, self.spec.routes(unit),
                            alive=self._alive)
        self._web_runner = web.AppRunner(app, access_log=None)
        await self._web_runner.setup()
        site = web.TCPSite(self._web_runner, settings.http_host, settings.http_port)
        await site.start()
        self.http_port = self._web_runner.addresses[0][1]

    def _alive(self) -> bool:
        """False once a loop ended, or held one piece of work past the limit while every dependency
        answers (a stuck loop with work in hand): the kubelet then restarts the pod."""
        if self._loop_died:
            return False
        limit = self.spec.settings.liveness_stall_seconds
        stalled = [part.progress.name for part in (self.consumer, self.relay)
                   if part is not None and part.progress.stalled(limit)]
        if stalled and self.readiness.ready:
            log.error("a service loop made no progress", extra={"loops": stalled, "limit_seconds": limit})
            return False
        return True

    def _loop_ended(self, task: asyncio.Task[None]) -> None:
        """The consumer and the relay never return while the service runs; if one does, say so loudly."""
        if task.cancelled() or self._shutting_down:
            return
        self.readiness.mark(task.get_name(), False)
        self._loop_died = True
        log.critical("a service loop ended unexpectedly", extra={"loop": task.get_name(),
                                                               "error": repr(task.exception())})

    async def _probe_database(self) -> None:
        """Readiness follows the database even while no message arrives to find it down."""
        try:
            writable = await asyncio.wait_for(
                self._started(self.pool).fetchval("SELECT current_setting('transaction_read_only') = 'off'"),
                timeout=2.0)
        except Exception:  # noqa: BLE001 - any failure means not ready
            writable = False
        self.readiness.mark("database", bool(writable))  # a read-only standby cannot take our writes

    async def _probe_kafka(self) -> None:
        try:
            await asyncio.wait_for(self._started(self.consumer).probe(), timeout=2.0)
        except Exception:  # noqa: BLE001 - any failure means not ready
            self.readiness.mark("kafka", False)
        else:
            self.readiness.mark("kafka", True)

    async def _forget_old_inbox(self) -> None:
        async with self._started(self.pool).acquire() as conn:
            await inbox.forget_older_than(conn, self.spec.settings.inbox_retention_days)

    async def _pool_metrics(self) -> None:
        pool = self._started(self.pool)
        size, idle = pool.get_size(), pool.get_idle_size()
        metrics.DB_POOL_CONNECTIONS.labels("in_use").set(size - idle)
        metrics.DB_POOL_CONNECTIONS.labels("idle").set(idle)
        metrics.DB_POOL_CONNECTIONS.labels("max").set(pool.get_max_size())

    @staticmethod
    def _started(part: PartT | None) -> PartT:
        """A part built by start(): the periodic jobs and the shutdown only run after it."""
        if part is None:
            raise RuntimeError("the service has not started")
        return part

    async def stop(self) -> None:
        """Graceful: finish the batch in hand, commit, drain the outbox, close connections.

        Also safe after a start() that failed half-way: whatever was opened is closed."""
        self._shutting_down = True
        if self._tasks:
            await self._stop_loops()
        for worker in self.workers:
            await _bounded(worker.close(), "worker")
        if self.consumer is not None:
            await _bounded(self.consumer.close(), "consumer")
        if self.relay is not None:
            await _bounded(self.relay.close(), "producer")
        if self._web_runner is not None:
            await _bounded(self._web_runner.cleanup(), "http")
        if self.pool is not None:
            try:
                await asyncio.wait_for(self.pool.close(), timeout=10)
            except TimeoutError:  # a connection never came back (e.g. killed mid-query): don't hang
                log.warning("database pool did not close in time; terminating it")
                self.pool.terminate()
        self._stopped.set()
        log.info("service stopped")

    async def _stop_loops(self) -> None:
        self._started(self.consumer).stop()
        consumer_task, relay_task, *others = self._tasks
        await _bounded(consumer_task, "consumer loop", 60)
        for worker in self.workers:
            worker.stop()
        await _bounded(asyncio.gather(*self._worker_tasks, return_exceptions=True), "workers", 30)
        self._started(self.relay).stop()
        await _bounded(relay_task, "relay", 30)
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        stop_requested = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop_requested.set)
        try:
            await self.start()
        except BaseException:
            log.exception("service could not start")
            await self.stop()  # close what was opened before the failure
            raise
        await stop_requested.wait()
        log.info("shutdown requested")
        await self.stop()


async def _bounded(awaitable: Awaitable[Any], what: str, seconds: float = 10) -> None:
    """Shutdown must end: a step that hangs is logged and left behind."""
    try:
        await asyncio.wait_for(awaitable, timeout=seconds)
    except Exception as error:  # noqa: BLE001 - includes TimeoutError
        log.warning("shutdown step did not finish cleanly", extra={"step": what, "error": type(error).__name__})


async def _every(interval: float, job: Callable[[], Awaitable[None]]) -> None:
    while True:
        try:
            await job()
        except Exception as error:  # noqa: BLE001 - a periodic job must not die with one failure
            log.warning("periodic job failed", extra={"job": getattr(job, "__name__", "job"),
                                                      "error": type(error).__name__})
        await asyncio.sleep(interval)
