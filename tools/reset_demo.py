"""python -m tools.reset_demo: forget the local demo's data (topics and service tables).

For the local stack only: `make run` starts each demo from an empty book so the
simulator's deterministic events are new again. Never point this at production.
"""
import asyncio
import os

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from shared.runtime import dead_letter_topic
from shared.settings import CommonSettings

SERVICES = ("overdue", "outreach", "dispatch", "agreement")


async def drop_topics(bootstrap_servers: str, names: set[str]) -> list[str]:
    """Delete the demo's own topics (never anyone else's) and wait until they are gone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t in names]
        if topics:
            await admin.delete_topics(topics)
        for _ in range(100):
            if not set(topics) & set(await admin.list_topics()):
                break
            await asyncio.sleep(0.1)
        return topics
    finally:
        await admin.close()


def demo_topics() -> set[str]:
    settings = CommonSettings()
    outputs = {settings.delinquency_events_topic, settings.outreach_events_topic, settings.dispatch_events_topic,
               settings.agreement_events_topic}
    inputs = {settings.loan_events_topic, settings.clock_topic} | outputs
    dead_letters = {dead_letter_topic(service, topic) for service in SERVICES for topic in inputs}
    return inputs | outputs | dead_letters


async def drop_tables(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP OWNED BY current_user")
    finally:
        await conn.close()


async def main() -> None:
    topics = await drop_topics(CommonSettings().kafka_bootstrap_servers, demo_topics())
    for service in SERVICES:
        url = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if url:
            await drop_tables(url)
    print(f"reset: {len(topics)} topics deleted, service tables dropped")


if __name__ == "__main__":
    asyncio.run(main())
