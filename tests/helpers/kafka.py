"""Talking to the real broker from tests: send raw bytes, read a topic back."""
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka.admin import ensure_topics


async def produce(bootstrap: str, messages: list[tuple]) -> None:
    """(topic, key, value) or (topic, key, value, headers as (name, bytes) pairs), in order."""
    topics = {message[0] for message in messages}
    await ensure_topics(bootstrap, {topic: 4 for topic in topics})
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for topic, key, value, *headers in messages:
            await producer.send_and_wait(topic, value=value, key=key.encode() if key else None,
                                         headers=headers[0] if headers else None)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str) -> list:
    """Every record currently on `topic`, read from the beginning without a consumer group."""
    await ensure_topics(bootstrap, {topic: 4})
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(await _partitions(consumer, topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*partitions, timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return partitions
        await consumer._client.force_metadata_update()
    raise AssertionError(f"no partitions for {topic}")


def header(record, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode()
    return None


async def topic_names(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, names: set[str], chunk: int = 200) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        ordered = sorted(names)
        for i in range(0, len(ordered), chunk):
            await admin.delete_topics(ordered[i:i + chunk], timeout_ms=60_000)
    finally:
        await admin.close()
