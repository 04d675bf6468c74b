"""The reference reader: a bare aiokafka consumer that fetches and JSON-decodes every event, nothing else."""
import json
import time

from aiokafka import AIOKafkaConsumer


async def bare_consumer(bootstrap: str, topic: str, group: str, expected: int, *, max_records: int = 5000,
                        deadline_seconds: float = 300) -> dict:
    """Same fetch sizes as the service's BatchConsumer; its own group; no commits, no database."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_bytes=32 * 1024 * 1024,
    )
    started = time.perf_counter()
    await consumer.start()
    seen, first, decoded_bytes = 0, None, 0
    try:
        while seen < expected:
            if time.perf_counter() - started > deadline_seconds:
                raise TimeoutError(f"bare consumer read {seen} of {expected} events in {deadline_seconds}s")
            batch = await consumer.getmany(timeout_ms=200, max_records=max_records)
            if batch and first is None:
                first = time.perf_counter()
            for records in batch.values():
                for record in records:
                    json.loads(record.value)
                    decoded_bytes += len(record.value)
                    seen += 1
        finished = time.perf_counter()
    finally:
        await consumer.stop()
    return _rates(seen, started, first, finished) | {"mean_event_bytes": round(decoded_bytes / max(seen, 1))}


def _rates(events: int, started: float, first: float, finished: float) -> dict:
    return {
        "events": events,
        "seconds": round(finished - first, 3),
        "events_per_second": round(events / (finished - first)),
        "startup_seconds": round(first - started, 3),
        "events_per_second_with_startup": round(events / (finished - started)),
    }

