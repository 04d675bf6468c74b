"""python -m services.clock: the one place that reads the wall clock, in production.

Every service takes its time from the clock topic, so a simulation or a test can drive time
instead (the simulator publishes the same events for simulated days). Run exactly one
instance per environment; a tick that is not newer than the last one is ignored downstream.
"""
import asyncio
import logging
import signal
from datetime import UTC, datetime

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pydantic import Field

from services.clock.metrics import LAST_TICK_PUBLISHED, TICK_FAILURES, TICKS_PUBLISHED
from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.kafka_binding import CONTENT_TYPE, STRUCTURED_JSON
from shared.kafka.admin import ensure_topics
from shared.logging import configure_logging
from shared.readiness import Readiness
from shared.retry import Backoff
from shared.settings import CommonSettings, env
from shared.web import build_web_app

log = logging.getLogger("clock")
STRUCTURED_HEADERS = [(CONTENT_TYPE, STRUCTURED_JSON.encode())]  # CloudEvents structured mode, as the relay writes


class ClockSettings(CommonSettings):
    tick_seconds: float = Field(60.0, gt=0, validation_alias=env("CLOCK_TICK_SECONDS"))
    http_host: str = Field("0.0.0.0", validation_alias=env("CLOCK_HTTP_HOST", "HTTP_HOST"))
    http_port: int = Field(8085, validation_alias=env("CLOCK_HTTP_PORT", "HTTP_PORT"))
    send_timeout_seconds: float = Field(10.0, gt=0, validation_alias=env("CLOCK_SEND_TIMEOUT_SECONDS"))


async def run(settings: ClockSettings, stop: asyncio.Event, readiness: Readiness | None = None) -> None:
    """Publish the wall time every interval until `stop`; a tick the broker refuses is not retried
    (the next one, a little later, carries the time forward) and readiness says kafka is down."""
    readiness = readiness or Readiness("kafka")
    if settings.create_topics:
        await ensure_topics(settings.kafka_bootstrap_servers, {settings.clock_topic: 1})
    producer = await _started_producer(settings, stop)
    if producer is None:
        return  # stopped before Kafka answered
    try:
        while not stop.is_set():
            now = datetime.now(UTC)
            _, value = encode(ClockTicked(now=now), source="collections/clock", time=now, subject="clock")
            try:
                await asyncio.wait_for(producer.send_and_wait(settings.clock_topic, value=value, key=b"clock",
                                                              headers=STRUCTURED_HEADERS),
                                       settings.send_timeout_seconds)
            except (TimeoutError, KafkaError) as error:
                readiness.mark("kafka", False)
                TICK_FAILURES.inc()
                log.warning("tick not published", extra={"error": type(error).__name__})
            else:
                readiness.mark("kafka", True)
                TICKS_PUBLISHED.inc()
                LAST_TICK_PUBLISHED.set_to_current_time()
            try:
                await asyncio.wait_for(stop.wait(), settings.tick_seconds)
            except TimeoutError:
                pass
    finally:
        await producer.stop()


async def _started_producer(settings: ClockSettings, stop: asyncio.Event) -> AIOKafkaProducer | None:
    """A started producer, waiting out a broker that is not up yet (until `stop`)."""
    backoff = Backoff(first=0.5, cap=10.0)
    while not stop.is_set():
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                    enable_idempotence=True)
        try:
            await producer.start()
            return producer
        except KafkaError as error:
            await producer.stop()
            log.warning("kafka not reachable yet", extra={"error": type(error).__name__})
        await backoff.wait(until=stop)
    return None


async def main() -> None:
    settings = ClockSettings()
    configure_logging("clock", settings.log_level)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    readiness = Readiness("kafka")
    runner = web.AppRunner(build_web_app(readiness, "", []), access_log=None)  # /healthz, /readyz, /metrics
    await runner.setup()
    await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    log.info("clock started", extra={"tick_seconds": settings.tick_seconds, "port": settings.http_port})
    try:
        await run(settings, stop, readiness)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
