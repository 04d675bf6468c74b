"""The consumer-lag gauge reports every partition a replica owns, from the broker, so a stuck
consumer shows growing lag and a partition that is not ours any more is not reported."""
import aiohttp

from tests.helpers.kafka import produce
from tests.helpers.waiting import eventually


async def lag_series(service) -> dict[tuple[str, str], float]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{service.runtime.http_port}/metrics") as response:
            text = await response.text()
    series = {}
    for line in text.splitlines():
        if line.startswith("collections_consumer_lag_messages{") and service.settings.loan_events_topic in line:
            labels, _, value = line.rpartition(" ")
            partition = labels.split('partition="')[1].split('"')[0]
            series[(service.settings.loan_events_topic, partition)] = float(value)
    return series


async def test_lag_is_reported_for_every_owned_partition_and_follows_the_broker(overdue):
    topic = overdue.settings.loan_events_topic

    async def all_partitions():
        await overdue.runtime.consumer.record_lag()  # what the runtime does every 15 s
        found = await lag_series(overdue)
        return found if len(found) == 4 else None

    assert set((await eventually(all_partitions, what="lag for the 4 partitions")).values()) == {0.0}

    overdue.runtime.consumer.stop()  # the consumer stops taking batches, as a stuck one would
    await produce(overdue.stack.bootstrap, [(topic, "same-key", b"{}")] * 3)
    await overdue.runtime.consumer.record_lag()
    assert sum((await lag_series(overdue)).values()) == 3.0, "lag did not grow behind a consumer that stopped"
