"""What each service really serves on /metrics passes `promtool check metrics` (the exposition parses and
follows Prometheus' naming conventions). Every service runs in-process against the real Kafka and Postgres,
handles a clock tick and dead-letters one unreadable message, so its labelled series (consumed events, dead
letters, lag, batch histograms, clock gauges) have samples; then /metrics is scraped and piped to promtool.

promtool is a real binary (`make tools`); a missing one fails the test."""
import re
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import pytest

from tests.deploy.conftest import run_tool
from tests.helpers.agreement import AgreementUnderTest
from tests.helpers.dispatch import DispatchUnderTest
from tests.helpers.outreach import OutreachUnderTest
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.service_under_test import tick
from tests.helpers.waiting import eventually

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NOT_JSON = b"this is not an event"


@asynccontextmanager
async def running_overdue(stack):
    service = await OverdueUnderTest.create(stack)
    try:
        await service.start()
        yield service
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)


SERVICES = {
    "overdue": running_overdue,
    "outreach": OutreachUnderTest.running,
    "dispatch": DispatchUnderTest.running,
    "agreement": AgreementUnderTest.running,
}


async def scrape(service) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{service.runtime.http_port}/metrics") as response:
            return response.status, response.headers.get("Content-Type", ""), await response.text()


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels...}` (labels in any order, others allowed), or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def _feed(name: str, service) -> str:
    """A clock tick and one unreadable message on the clock topic; returns that topic's name."""
    clock_topic = service.settings.clock_topic
    if name == "overdue":
        await service.send(("clock", tick(NOW)), ("clock", NOT_JSON))
    else:
        await service.send_tick(tick(NOW))
        await service.send_tick(NOT_JSON)
    return clock_topic


# Lint messages promtool 2.42 prints that are not naming problems of ours, with why:
ACCEPTED_LINTS: dict[str, str] = {}


@pytest.mark.parametrize("name", SERVICES)
async def test_the_metrics_a_running_service_serves_pass_promtool_check_metrics(stack, name):
    async with SERVICES[name](stack) as service:
        topic = await _feed(name, service)

        async def fed():
            status, _, text = await scrape(service)
            dead = _sample(text, "collections_dead_letters_total", topic=topic, reason="invalid_json")
            ticked = _sample(text, "collections_events_consumed_total", topic=topic, outcome="processed")
            return status == 200 and bool(dead) and bool(ticked)

        await eventually(fed, timeout=60, what=f"{name}'s /metrics showing the tick and the dead letter")
        status, content_type, text = await scrape(service)

    assert status == 200 and content_type.startswith("text/plain"), (status, content_type)
    for family in ("collections_events_consumed_total", "collections_dead_letters_total",
                   "collections_handler_batch_duration_seconds", "collections_consumer_lag_messages",
                   "collections_dependency_up", "collections_clock_last_tick_received_timestamp_seconds",
                   "process_start_time_seconds"):
        assert f"\n{family}" in text, f"{name} does not export {family}"
    assert _sample(text, "collections_clock_now_timestamp_seconds") == NOW.timestamp()

    result = run_tool("promtool", "check", "metrics", input=text, timeout=60)
    assert not lint_problems(result), (
        f"promtool check metrics on {name}'s /metrics:\n" + "\n".join(lint_problems(result))
    )


def lint_problems(result) -> list[str]:
    """promtool's complaints (it exits 3 and prints one per line), less those accepted above."""
    output = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0 and not output:
        return [f"promtool exited {result.returncode} without saying why"]
    return [line for line in output if not any(accepted in line for accepted in ACCEPTED_LINTS)]


def test_promtool_check_metrics_does_flag_a_badly_named_metric():
    """The check above is not vacuous: the same promtool call rejects a counter without _total."""
    bad = "# HELP collections_things counted things\n# TYPE collections_things counter\ncollections_things 1\n"
    problems = lint_problems(run_tool("promtool", "check", "metrics", input=bad, timeout=60))
    assert any("_total" in line for line in problems), problems
