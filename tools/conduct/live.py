"""The conduct auditor over a running system (`make run`): it follows every topic from the beginning, and
every `every` seconds audits all it has read with outreach's attempts table; the summary shows the count."""
import asyncio
import json
import logging
import time
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer

from tools.conduct import accepted, read_attempts, run_audit

log = logging.getLogger(__name__)


@dataclass
class LiveAudit:
    bootstrap: str
    topics: dict[str, str]  # topic kind (loan, delinquency, outreach, dispatch, agreement) -> topic name
    outreach_database_url: str
    every: float = 30.0
    breaches: dict[str, int] | None = None  # by kind, after the first audit
    events_read: int = 0
    audited_at: float | None = None
    _values: dict[str, list[bytes]] = field(default_factory=dict)

    async def run(self, stopping: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(*self.topics.values(), bootstrap_servers=self.bootstrap, group_id=None,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        kind_of = {name: kind for kind, name in self.topics.items()}
        try:
            next_audit = time.monotonic() + self.every
            while not stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                for partition, records in batches.items():
                    values = self._values.setdefault(kind_of[partition.topic], [])
                    values.extend(r.value for r in records if r.value is not None)
                    self.events_read += len(records)
                if time.monotonic() >= next_audit:
                    await self._audit()
                    next_audit = time.monotonic() + self.every
        finally:
            await consumer.stop()

    async def _audit(self) -> None:
        try:
            conn = await asyncpg.connect(self.outreach_database_url)
            try:
                stored = await read_attempts(conn.fetch)
            finally:
                await conn.close()
            events = {kind: accepted(values) if kind == "loan" else [json.loads(v) for v in values]
                      for kind, values in self._values.items()}
            audit = await asyncio.to_thread(run_audit, events, stored=stored)
        except Exception as error:  # noqa: BLE001 - the summary says it could not audit; the demo goes on
            log.warning("conduct audit failed", extra={"error": type(error).__name__})
            return
        self.breaches, self.audited_at = dict(audit.summary()), time.monotonic()

    def line(self) -> str:
        if self.breaches is None:
            return f"conduct breaches    (first audit after {self.every:.0f}s; {self.events_read:,} events read)"
        total = sum(self.breaches.values())
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.breaches.items()))
        ago = time.monotonic() - (self.audited_at or time.monotonic())
        return (f"conduct breaches    {total:,}{f' ({kinds})' if kinds else ''}"
                f" — audited {ago:.0f}s ago over {self.events_read:,} events")
