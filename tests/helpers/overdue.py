"""Overdue detection under test: its own database and topics, the real broker and Postgres."""
from dataclasses import dataclass
from typing import ClassVar

from services.overdue.app import create_app
from services.overdue.settings import OverdueSettings
from tests.helpers.kafka import produce
from tests.helpers.service_under_test import ServiceUnderTest

CUSTOMER_IDS = [f"C{n}" for n in range(1, 10)]  # borrowers the tests name
# a borrower's portal token is personal (token:customer_portal:<customer id>); "t-portal" is C1's
TOKENS = ",".join(["t-portal:customer_portal:C1", "t-sup:supervisor", "t-ops:observer"]
                  + [f"t-portal-{customer_id}:customer_portal:{customer_id}" for customer_id in CUSTOMER_IDS])


def portal_token(customer_id: str) -> str:
    """The portal token of a borrower the tests named (one of CUSTOMER_IDS)."""
    return f"t-portal-{customer_id}"



@dataclass
class OverdueUnderTest(ServiceUnderTest):
    service: ClassVar[str] = "overdue"
    events_topic: ClassVar[str] = "delinquency_events_topic"
    consumed_topics: ClassVar[tuple[str, ...]] = ("loan_events_topic", "clock_topic")
    settings_class: ClassVar[type] = OverdueSettings
    app_factory = staticmethod(create_app)
    tokens: ClassVar[str] = TOKENS
    test_settings: ClassVar[dict] = {"portfolio_refresh_seconds": 0.5}

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

    async def clock(self):
        rows = await self.query("SELECT now, last_closed_date FROM service_clock")
        return rows[0] if rows else None

    async def get(self, path: str, token: str | None = "t-portal") -> tuple[int, dict]:
        return await super().get(path, token)
