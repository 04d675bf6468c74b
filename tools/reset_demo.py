"""python -m tools.reset_demo: forget the local demo's data (topics and service tables).

For the local stack only: `make run` starts each demo from an empty book so the
simulator's deterministic events are new again. Never point this at production.
"""
import asyncio
import os

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

SERVICES = ("overdue", "outreach", "dispatch", "agreement")


async def drop_topics(bootstrap_servers: str, keep_internal: bool = True) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if not (keep_internal and t.startswith("__"))]
        if topics:
            await admin.delete_topics(topics)
        return topics
    finally:
        await admin.close()


async def drop_tables(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP OWNED BY current_user")
    finally:
        await conn.close()


async def main() -> None:
    topics = await drop_topics(os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"))
    for service in SERVICES:
        url = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if url:
            await drop_tables(url)
    print(f"reset: {len(topics)} topics deleted, service tables dropped")


if __name__ == "__main__":
    asyncio.run(main())
