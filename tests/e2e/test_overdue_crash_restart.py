"""Killed mid-stream and restarted, the service ends where a clean run ends: nothing lost, nothing doubled."""
import json

from simulator.book import BookConfig, build_book
from simulator.messages import Topics
from simulator.publisher import publish_plan
from simulator.script import build_plan
from tests.helpers.kafka import read_topic
from tests.helpers.naming import unique_suffix
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.process import ServiceProcess
from tests.helpers.waiting import eventually

STATE = "SELECT loan_id, case_seq, case_id, bucket, settled, closed, days_past_due, overdue_amount," \
        " outstanding_amount FROM delinquency_state ORDER BY loan_id"


async def test_a_killed_service_ends_like_a_clean_run(stack, tmp_path):
    suffix = unique_suffix(8)
    plan = build_plan(build_book(BookConfig(seed=11, customers=150, days=150)),
                      topics=Topics(f"loan-events-{suffix}", f"clock-{suffix}"))
    await publish_plan(plan, stack.bootstrap)
    last_day = plan.days[-1].business_date
    valid_loan_events = plan.counts.valid - plan.counts.valid_by_type.get("clock.ticked", 0)

    clean = await OverdueUnderTest.create(stack)
    crashed = await OverdueUnderTest.create(stack)
    for service in (clean, crashed):
        service.settings = service.settings.model_copy(update={
            "loan_events_topic": plan.topics.loan_events, "clock_topic": plan.topics.clock})
    try:
        await clean.start()
        await _finished(clean, last_day)
        await clean.stop()

        process = ServiceProcess("services.overdue", _env(crashed.settings), tmp_path / "overdue.log")
        process.start()
        await eventually(lambda: _inbox_at_least(crashed, valid_loan_events // 3), timeout=60, interval=0.02,
                         what="a third of the stream processed")
        process.kill()
        progress = await _inbox_count(crashed)
        assert progress < plan.counts.messages, "the kill should land mid-stream"
        process.start()
        await _finished(crashed, last_day)
        assert process.terminate() == 0  # graceful shutdown exits cleanly

        assert await crashed.query(STATE) == await clean.query(STATE)
        clean_events = await _emitted(stack, clean)
        crashed_events = await _emitted(stack, crashed)
        assert len(clean_events) > 50, "the scenario should produce delinquency events"
        assert len(set(clean_events)) == len(clean_events)
        assert sorted(set(crashed_events)) == sorted(clean_events)
        assert len(crashed_events) == len(set(crashed_events)), "no delinquency event published twice"
    finally:
        for service in (clean, crashed):
            await service.stop()
            await stack.drop_database(service.settings.database_url)


async def _finished(service: OverdueUnderTest, last_day) -> None:
    async def done():
        clock = await service.clock()
        backlog = await service.query("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")
        return clock is not None and clock["last_closed_date"] == last_day and backlog[0]["n"] == 0

    await eventually(done, timeout=120, interval=0.2, what=f"business date {last_day} closed and outbox drained")


async def _inbox_count(service) -> int:
    try:
        rows = await service.query("SELECT count(*) AS n FROM inbox")
    except Exception:  # noqa: BLE001 - tables not migrated yet
        return 0
    return rows[0]["n"]


async def _inbox_at_least(service, count: int) -> bool:
    return await _inbox_count(service) >= count


async def _emitted(stack, service) -> list[tuple]:
    records = await read_topic(stack.bootstrap, service.settings.delinquency_events_topic)
    return [(json.loads(r.value)["id"], json.loads(r.value)["type"]) for r in records]


def _env(settings) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "OVERDUE_DATABASE_URL": settings.database_url,
        "LOAN_EVENTS_TOPIC": settings.loan_events_topic,
        "CLOCK_TOPIC": settings.clock_topic,
        "DELINQUENCY_EVENTS_TOPIC": settings.delinquency_events_topic,
        "OVERDUE_CONSUMER_GROUP": settings.consumer_group,
        "OVERDUE_HTTP_PORT": "0",
        "CONSUMER_MAX_RECORDS": "40",
        "RELAY_BATCH_SIZE": "20",
    }
