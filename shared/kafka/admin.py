"""Topic administration: create what a service needs, leave what exists alone."""
import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


async def ensure_topics(bootstrap_servers: str, partitions_by_topic: dict[str, int], attempts: int = 30) -> None:
    """Create missing topics (replication 1 locally; production topics are normally pre-created)."""
    for attempt in range(1, attempts + 1):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(name=name, num_partitions=partitions, replication_factor=1)
                for name, partitions in partitions_by_topic.items()
                if name not in existing
            ]
            if missing:
                try:
                    await admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass
            return
        except KafkaConnectionError:
            if attempt == attempts:
                raise
            log.warning("kafka not reachable yet, retrying", extra={"attempt": attempt})
            await asyncio.sleep(min(0.2 * attempt, 2.0))
        finally:
            await admin.close()
