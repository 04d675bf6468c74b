"""Every service SIGKILLed at random points of the whole flow and started again, as a pod would be.

The four services run as their own OS processes (static group membership, as on Kubernetes) through
the whole flow of `test_whole_flow.py` at a smaller size; a seeded killer picks days and, a random
moment into each, SIGKILLs one service (every service in turn) and starts it again. Afterwards:

- nothing is lost: every event a service announced reached the services that follow that topic
  (each is in their inbox), and every row of every outbox reached its topic;
- nothing is doubled: no topic holds an event id twice;
- nothing is stuck: every clock reaches the last tick and every outbox drains; the only dead
  letters are the simulator's malformed loan events, each once per service that reads them;
- overdue detection's projection equals, row for row, a clean run over the same loan events, and
  it announced exactly the same delinquency events;
- SIGTERM stops every process cleanly within its grace period.

The other three services' end states are not compared with a clean run: their decisions still
depend on how far each service's clock has got when an event arrives (the issue "Time flows with
the data"), so two clean runs already differ. `make chaos` runs a longer flow with more kills.
"""
import asyncio
import json
import os
import random

from tests.e2e.test_overdue_crash_restart import STATE
from tests.helpers.kafka import read_topic
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.waiting import eventually
from tests.helpers.whole_flow import SERVICES, WholeFlow, _tick_time

CUSTOMERS = int(os.environ.get("KILL_FLOW_CUSTOMERS", "80"))
DAYS = int(os.environ.get("KILL_FLOW_DAYS", "75"))
KILLS = int(os.environ.get("KILL_FLOW_KILLS", "8"))
SEED = int(os.environ.get("KILL_FLOW_SEED", "13"))

FOLLOWS = {  # which service reads which service's events
    "overdue": ("outreach", "dispatch", "agreement"),
    "outreach": ("dispatch",),
    "dispatch": ("outreach", "agreement"),
    "agreement": ("outreach", "dispatch"),
}
OUTPUT = {"overdue": "delinquency_events", "outreach": "outreach_events", "dispatch": "dispatch_events",
          "agreement": "agreement_events"}


class Killer:
    """On chosen days, a random moment after the day's close: SIGKILL one service, start it again."""

    def __init__(self, flow: WholeFlow, rng: random.Random, kills: int, days: int):
        victims = [SERVICES[i % len(SERVICES)] for i in range(kills)]
        rng.shuffle(victims)
        self.schedule = dict(zip(sorted(rng.sample(range(2, days - 2), kills)), victims))
        self.flow, self.rng = flow, rng
        self.tasks: list[asyncio.Task] = []
        self.done: list[tuple[int, str, float]] = []

    async def on_day(self, index: int, day) -> None:
        if index in self.schedule:
            self.tasks.append(asyncio.create_task(self._kill(index, self.schedule[index])))

    async def _kill(self, index: int, name: str) -> None:
        delay = self.rng.uniform(0.0, 1.5)  # into the next day's events and ticks
        await asyncio.sleep(delay)
        process = self.flow.processes[name]
        process.kill()
        await asyncio.sleep(self.rng.uniform(0.0, 0.5))
        process.start()
        self.done.append((index, name, round(delay, 2)))

    async def finished(self) -> None:
        await asyncio.gather(*self.tasks)


async def test_every_service_killed_mid_flow_loses_and_doubles_nothing(stack, tmp_path):
    flow = WholeFlow(stack, customers=CUSTOMERS, days=DAYS, seed=SEED, process_logs=tmp_path)
    reference = None
    try:
        await flow.start()
        await flow.seed_roster()
        killer = Killer(flow, random.Random(SEED), KILLS, DAYS)
        await flow.run_days(killer.on_day)
        await killer.finished()
        await flow.settle(_tick_time(flow.plan.days[-1].messages[-1]), timeout=120)
        print(f"\nkills (day, service, seconds after the day's close): {killer.done}")
        assert len(killer.done) == KILLS and {name for _, name, _ in killer.done} == set(SERVICES)

        events = {name: await _events(flow, name) for name in SERVICES}
        print("events announced: " + ", ".join(f"{name} {len(e)}" for name, e in events.items()))
        for name, announced in events.items():
            ids = [e["id"] for e in announced]
            assert len(ids) == len(set(ids)), f"{name} published an event twice"
            assert await _outbox_ids(flow, name) <= set(ids), f"an outbox row of {name} never reached its topic"
            for follower in FOLLOWS[name]:
                missing = set(ids) - await _inbox_ids(flow, follower)
                assert not missing, f"{follower} never handled {len(missing)} of {name}'s events"
        assert events["overdue"] and events["outreach"] and events["dispatch"], "the flow should reach the door"
        # (agreement tracking may announce nothing in a short flow: only a visit negotiated at the door starts one)
        letters = {topic: len(found) for topic, found in (await flow.dead_letters()).items()}
        malformed = flow.plan.counts.malformed  # the simulator's malformed loan events, each dead-lettered once
        assert letters == {f"{name}.{flow.topics.loan_events}.dlq": malformed
                           for name in ("overdue", "outreach", "agreement") if malformed}

        codes = flow.terminate_processes()
        assert codes == {name: 0 for name in SERVICES}, f"exit codes after SIGTERM: {codes}"

        reference = await OverdueUnderTest.create(stack)
        reference.settings = reference.settings.model_copy(update={
            "loan_events_topic": flow.topics.loan_events, "clock_topic": flow.topics.clock})
        await reference.start()
        last_day = flow.plan.days[-1].business_date
        await eventually(lambda: _closed(reference, last_day), timeout=max(120, DAYS * 3), interval=0.2,
                         what="the clean overdue run closing the last day")
        assert [dict(r) for r in await flow.query("overdue", STATE)] == \
            [dict(r) for r in await reference.query(STATE)]
        clean = {(e["id"], e["type"]) for e in
                 map(lambda r: json.loads(r.value),
                     await read_topic(stack.bootstrap, reference.settings.delinquency_events_topic))}
        assert {(e["id"], e["type"]) for e in events["overdue"]} == clean
    finally:
        if reference is not None:
            await reference.stop()
            await stack.drop_database(reference.settings.database_url)
        await flow.close()


async def _events(flow: WholeFlow, name: str) -> list[dict]:
    return await flow.events(getattr(flow.topics, OUTPUT[name]))


async def _outbox_ids(flow: WholeFlow, name: str) -> set[str]:
    topic = getattr(flow.topics, OUTPUT[name])
    return {r["event_id"] for r in await flow.query(name, "SELECT event_id FROM outbox WHERE topic = $1", topic)}


async def _inbox_ids(flow: WholeFlow, name: str) -> set[str]:
    return {r["event_id"] for r in await flow.query(name, "SELECT event_id FROM inbox")}


async def _closed(reference: OverdueUnderTest, last_day) -> bool:
    clock = await reference.clock()
    unsent = await reference.query("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")
    return clock is not None and clock["last_closed_date"] == last_day and unsent[0]["n"] == 0
