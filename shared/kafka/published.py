"""What the relay already published: read back from the tail of the topics it writes.

A crash between "Kafka acknowledged" and "row marked sent" leaves at most one relay batch
published but unmarked. Before publishing again, the relay reads the last `depth` records of
each partition it may have written to and marks the rows whose event id it finds there, so a
restart does not publish them a second time.
"""
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

MESSAGE_ID = "message-id"  # the header in which the relay sends each row's event id (a dead letter's own id)
_EARLIER_MESSAGE_ID = "ce_id"  # where relays before `message-id` sent it: still on the topics' tails


async def published_event_ids(bootstrap_servers: str, topics: list[str], depth: int) -> set[str]:
    if not topics:
        return set()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        known = await consumer.topics()
        partitions = [TopicPartition(topic, p) for topic in topics if topic in known
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return set()
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, max(starts[tp], ends[tp] - depth))
        found: set[str] = set()
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*partitions, timeout_ms=500)
            found |= {event_id for records in batch.values() for record in records
                      if (event_id := _event_id(record)) is not None}
        return found
    finally:
        await consumer.stop()


def _event_id(record: Any) -> str | None:
    """`message-id`; `ce_id` only on a record without it (a dead letter now keeps its original's `ce_id`,
    the sender's id, which must never mark a row of ours as sent)."""
    headers = dict(record.headers or ())
    value = headers.get(MESSAGE_ID) if MESSAGE_ID in headers else headers.get(_EARLIER_MESSAGE_ID)
    return value.decode() if value is not None else None
