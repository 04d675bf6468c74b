"""Overdue detection under test: its own database and topics, the real broker and Postgres."""
import json
import uuid
from dataclasses import dataclass

import aiohttp
import asyncpg

from services.overdue.app import create_app
from services.overdue.settings import OverdueSettings
from shared.runtime import ServiceRuntime
from tests.helpers.kafka import produce, read_topic
from tests.helpers.stack import Stack

TOKENS = "t-portal:customer_portal,t-ops:observer"


def overdue_settings(stack: Stack, database_url: str, suffix: str, **overrides) -> OverdueSettings:
    # model_copy, not keyword arguments: pydantic-settings lets environment variables win over
    # keywords for aliased fields, and `make test` exports the stack's variables.
    return OverdueSettings().model_copy(update=dict(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
        loan_events_topic=f"loan-events-{suffix}", clock_topic=f"clock-{suffix}",
        delinquency_events_topic=f"delinquency-events-{suffix}", consumer_group=f"overdue-{suffix}",
        http_host="127.0.0.1", http_port=0, api_tokens=TOKENS, portfolio_refresh_seconds=0.5, **overrides,
    ))


@dataclass
class OverdueUnderTest:
    stack: Stack
    settings: OverdueSettings
    runtime: ServiceRuntime | None = None

    @classmethod
    async def create(cls, stack: Stack, **overrides) -> "OverdueUnderTest":
        database_url = await stack.create_database("overdue")
        return cls(stack, overdue_settings(stack, database_url, uuid.uuid4().hex[:10], **overrides))

    async def start(self) -> None:
        self.runtime = create_app(self.settings)
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def send(self, *events: tuple[str, str | None, bytes]) -> None:
        """Loan events as (event id, key, bytes); clock ticks as ('clock', bytes)."""
        messages = []
        for event in events:
            if event[0] == "clock":
                messages.append((self.settings.clock_topic, "clock", event[1]))
            else:
                messages.append((self.settings.loan_events_topic, event[1], event[2]))
        await produce(self.stack.bootstrap, messages)

    async def send_raw(self, key: str | None, value: bytes) -> None:
        await produce(self.stack.bootstrap, [(self.settings.loan_events_topic, key, value)])

    async def emitted(self) -> list[dict]:
        records = await read_topic(self.stack.bootstrap, self.settings.delinquency_events_topic)
        return [json.loads(r.value) for r in records]  # per loan (one key, one partition) in emitted order

    async def dead_letters(self) -> list:
        return await read_topic(self.stack.bootstrap, f"overdue.{self.settings.loan_events_topic}.dlq")

    async def query(self, sql: str, *args) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def clock(self):
        rows = await self.query("SELECT now, last_closed_date FROM service_clock")
        return rows[0] if rows else None

    async def get(self, path: str, token: str | None = "t-portal") -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.runtime.http_port}{path}", headers=headers) as response:
                return response.status, await response.json()
