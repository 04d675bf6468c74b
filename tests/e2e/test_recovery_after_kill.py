"""How soon a replica killed with SIGKILL and started again takes its partitions back.

With static group membership (CONSUMER_INSTANCE_ID, the pod name on Kubernetes) the broker hands the
restarted member its partitions at once; without it, the group first waits out the dead member's
session. `make recovery` measures all three configurations and prints the seconds (the README quotes
them); `make test` runs the static one. Tests never assert timings: this checks that the work
resumes and completes, and reports how long resuming took.
"""
import os
import time

import pytest

from simulator.book import BookConfig, build_book
from simulator.messages import Topics
from simulator.publisher import publish_plan
from simulator.script import build_plan
from tests.e2e.test_overdue_crash_restart import _env, _finished, _inbox_at_least, _inbox_count
from tests.helpers.naming import unique_suffix
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.process import ServiceProcess
from tests.helpers.waiting import eventually

CONFIGURATIONS = {
    "static membership": {"CONSUMER_INSTANCE_ID": "overdue-0", "CONSUMER_SESSION_TIMEOUT_MS": "10000"},
    "dynamic, 10 s session": {"CONSUMER_SESSION_TIMEOUT_MS": "10000"},
    "dynamic, 30 s session (before)": {"CONSUMER_SESSION_TIMEOUT_MS": "30000"},
}
MEASURED = list(CONFIGURATIONS) if os.environ.get("RECOVERY_MEASURE") else ["static membership"]


@pytest.mark.parametrize("configuration", MEASURED)
async def test_a_killed_replica_resumes_and_finishes(stack, tmp_path, configuration):
    suffix = unique_suffix(8)
    plan = build_plan(build_book(BookConfig(seed=5, customers=120, days=120)),
                      topics=Topics(f"loan-events-{suffix}", f"clock-{suffix}"))
    await publish_plan(plan, stack.bootstrap)
    service = await OverdueUnderTest.create(stack)
    service.settings = service.settings.model_copy(update={
        "loan_events_topic": plan.topics.loan_events, "clock_topic": plan.topics.clock})
    process = ServiceProcess("services.overdue", _env(service.settings) | CONFIGURATIONS[configuration],
                             tmp_path / "overdue.log")
    try:
        process.start()
        await eventually(lambda: _inbox_at_least(service, 200), timeout=60, interval=0.02, what="work under way")
        process.kill()
        at_kill = await _inbox_count(service)
        restarted = time.monotonic()
        process.start()
        await eventually(lambda: _inbox_at_least(service, at_kill + 1), timeout=90, interval=0.05,
                         what="the restarted replica consuming again")
        resumed_after = time.monotonic() - restarted
        await _finished(service, plan.days[-1].business_date)
        assert process.terminate() == 0
        print(f"\nrecovery after kill -9 ({configuration}): consuming again {resumed_after:.1f} s after the restart")
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)
