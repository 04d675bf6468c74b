"""services.clock on the real broker: ticks of the wall time, in order, on one partition."""
import asyncio
import json
import os
import signal
import socket
import sys
from datetime import datetime

import aiohttp

from services.clock.__main__ import ClockSettings, run
from shared.readiness import Readiness
from tests.helpers.kafka import read_topic
from tests.helpers.service_under_test import new_suffix
from tests.helpers.waiting import eventually


async def test_the_clock_publishes_increasing_wall_times_keyed_clock_on_one_partition(stack):
    settings = ClockSettings().model_copy(update=dict(
        kafka_bootstrap_servers=stack.bootstrap, clock_topic=f"clock-{new_suffix()}", tick_seconds=0.2))
    stop, readiness = asyncio.Event(), Readiness("kafka")
    before = datetime.now().astimezone()
    clock = asyncio.create_task(run(settings, stop, readiness))
    await asyncio.sleep(1.5)
    assert readiness.ready, "a tick the broker acknowledged makes the clock ready"
    stop.set()
    await asyncio.wait_for(clock, 15)

    records = await read_topic(stack.bootstrap, settings.clock_topic)
    assert len(records) >= 3
    assert {r.partition for r in records} == {0} and {r.key for r in records} == {b"clock"}
    events = [json.loads(r.value) for r in records]
    assert {e["type"] for e in events} == {"clock.ticked"}
    times = [datetime.fromisoformat(e["data"]["now"].replace("Z", "+00:00")) for e in events]
    assert times == sorted(times) and len(set(times)) == len(times) and times[0] >= before


async def test_the_clock_process_serves_health_readiness_and_metrics_and_stops_on_sigterm(stack):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=stack.bootstrap, CLOCK_TOPIC=f"clock-{new_suffix()}",
               CLOCK_TICK_SECONDS="0.2", CLOCK_HTTP_HOST="127.0.0.1", CLOCK_HTTP_PORT=str(port))
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.clock", env=env,
                                                   stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
    try:
        async def get(path: str):
            try:
                async with aiohttp.ClientSession() as session:
                    async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                        return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                return None

        assert (await eventually(lambda: get("/healthz"), what="clock /healthz"))[0] == 200

        async def ready():
            answer = await get("/readyz")
            return answer if answer and answer[0] == 200 else None

        await eventually(ready, what="clock ready")
        _, metrics = await get("/metrics")
        published = [line for line in metrics.splitlines() if line.startswith("clock_ticks_published_total ")]
        assert published and float(published[0].split()[1]) >= 1
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0


async def test_a_clock_started_before_its_broker_waits_for_it_and_still_stops_on_request():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ClockSettings().model_copy(update=dict(
        kafka_bootstrap_servers=f"127.0.0.1:{port}", create_topics=False, tick_seconds=0.2))
    stop = asyncio.Event()
    clock = asyncio.create_task(run(settings, stop))
    await asyncio.sleep(1.5)
    assert not clock.done(), "the clock gave up instead of waiting for Kafka"
    stop.set()
    await asyncio.wait_for(clock, 15)  # returns cleanly, having published nothing
