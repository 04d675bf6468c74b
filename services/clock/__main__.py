"""python -m services.clock: the one place that reads the wall clock, in production.

Every service takes its time from the clock topic, so a simulation or a test can drive time
instead (the simulator publishes the same events for simulated days). Run exactly one
instance per environment; a tick that is not newer than the last one is ignored downstream.
"""
import asyncio
import logging
import signal
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer
from pydantic import Field

from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.kafka.admin import ensure_topics
from shared.logging import configure_logging
from shared.settings import CommonSettings, env

log = logging.getLogger("clock")


class ClockSettings(CommonSettings):
    tick_seconds: float = Field(60.0, gt=0, validation_alias=env("CLOCK_TICK_SECONDS"))


async def run(settings: ClockSettings, stop: asyncio.Event) -> None:
    await ensure_topics(settings.kafka_bootstrap_servers, {settings.clock_topic: 1})
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                enable_idempotence=True)
    await producer.start()
    try:
        while not stop.is_set():
            now = datetime.now(timezone.utc)
            _, value = encode(ClockTicked(now=now), source="collections/clock", time=now, subject="clock")
            await producer.send_and_wait(settings.clock_topic, value=value, key=b"clock")
            try:
                await asyncio.wait_for(stop.wait(), settings.tick_seconds)
            except asyncio.TimeoutError:
                pass
    finally:
        await producer.stop()


async def main() -> None:
    settings = ClockSettings()
    configure_logging("clock", settings.log_level)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    log.info("clock started", extra={"tick_seconds": settings.tick_seconds})
    await run(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
