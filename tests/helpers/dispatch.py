"""Visit dispatch under test: its own database and topics, the real broker and Postgres.

Inbound events are built here and encoded by the one codec; the clock is only what the test
ticks. Every borrower and collector lives in Asia/Shanghai; times are their wall clock.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import asyncpg

from services.dispatch.app import create_app
from services.dispatch.settings import DispatchSettings
from shared.events.agreement import AgreementSigned
from shared.events.codec import encode
from shared.events.delinquency import LoanCured, LoanDisputeOpened, LoanPaidUp, LoanSettled
from shared.events.loan import Address
from shared.events.outreach import ComplaintOpened, ComplaintResolved, ContactPreferencesChanged, VisitRequested
from tests.helpers.service_under_test import ServiceUnderTest, at  # noqa: F401 (at)

ROSTER_IDS = [f"col-{name}" for name in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]  # collectors the tests name
TOKENS = ",".join(["t-sup:supervisor,t-col:collector,t-portal:customer_portal"]
                  + [f"t-{collector_id}:collector:{collector_id}" for collector_id in ROSTER_IDS])
SUPERVISOR, COLLECTOR, PORTAL = "t-sup", "t-col", "t-portal"  # COLLECTOR: a token bound to nobody


def collector_token(collector_id: str) -> str:
    """The personal token of a collector the tests named (one of ROSTER_IDS)."""
    return f"t-{collector_id}"

TODAY = date(2026, 3, 2)  # a Monday: the service clock starts here
TOMORROW = TODAY + timedelta(days=1)  # the day visits are confirmed for
EVERY_DAY = {str(day): {"start": "09:00", "end": "20:00"} for day in range(7)}

# Xuhui, Shanghai: where most test visits happen, and homes at known distances from it.
VISIT_POINT = (31.19, 121.44)
NEAR, NEARER, FAR = (31.21, 121.44), (31.20, 121.44), (31.30, 121.44)  # ~2.2 km, ~1.1 km, ~12 km


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def collector_body(name: str, *, territory: list[str] | None = None, certified_until: date | None = date(2027, 1, 31),
                   capacity: int = 6, home: tuple[float, float] = NEAR, hours: dict | None = None,
                   **extra) -> dict[str, Any]:
    """A roster entry as a supervisor posts it: certified, covering Shanghai, 09:00-20:00 every day."""
    body = {"name": name, "territory": ["Shanghai"] if territory is None else territory,
            "certified_until": certified_until.isoformat() if certified_until else None, "daily_capacity": capacity,
            "hours": EVERY_DAY if hours is None else hours,
            "home": {"latitude": home[0], "longitude": home[1]}, "time_zone": "Asia/Shanghai", **extra}
    return body


def visit_requested(request_id: str, *, customer_id: str = "C1", loan_id: str = "L1", case_id: str | None = None,
                    day: date = TOMORROW, start: tuple[int, int] = (14, 0), end: tuple[int, int] = (16, 0),
                    city: str = "Shanghai", district: str | None = "Xuhui",
                    point: tuple[float, float] | None = VISIT_POINT, confirmed_at: datetime | None = None,
                    event_id: str | None = None) -> tuple[str, bytes]:
    """outreach.visit_requested as outreach publishes it, keyed by customer: (key, bytes)."""
    confirmed_at = confirmed_at or at(TODAY, 9)
    data = VisitRequested(
        visit_request_id=request_id, case_id=case_id or f"case-{loan_id}", loan_id=loan_id, customer_id=customer_id,
        address=Address(line=f"{request_id} Test Road", city=city, district=district, postal_code="200030",
                        latitude=point[0] if point else None, longitude=point[1] if point else None),
        time_zone="Asia/Shanghai", window_start=at(day, *start), window_end=at(day, *end), confirmed_at=confirmed_at,
        overdue_amount=60_000, currency="CNY",
    )
    _, value = encode(data, source="tests/outreach", time=confirmed_at, subject=customer_id, event_id=event_id)
    return customer_id, value


def loan_cured(loan_id: str, customer_id: str, *, business_date: date = TODAY) -> tuple[str, bytes]:
    """delinquency.loan_cured as overdue detection publishes it (keyed by loan), just after midnight."""
    data = LoanCured(loan_id=loan_id, customer_id=customer_id, case_id=f"case-{loan_id}", business_date=business_date,
                     days_past_due=0, bucket=None, overdue_amount=0, outstanding_amount=120_000, currency="CNY",
                     risk_segment="medium")
    written = at(business_date + timedelta(days=1), 0) + timedelta(seconds=5)
    _, value = encode(data, source="tests/overdue", time=written, subject=loan_id)
    return loan_id, value


def loan_settled_without_case(loan_id: str, customer_id: str) -> tuple[str, bytes]:
    """delinquency.loan_settled for a loan paid off before it was ever overdue (no case)."""
    data = LoanSettled(loan_id=loan_id, customer_id=customer_id, case_id=None, business_date=TODAY, days_past_due=0,
                       bucket=None, overdue_amount=0, outstanding_amount=0, currency="CNY", risk_segment="low")
    _, value = encode(data, source="tests/overdue", time=at(TODAY, 0) + timedelta(seconds=5), subject=loan_id)
    return loan_id, value


def complaint_opened(complaint_id: str, customer_id: str, opened_at: datetime) -> tuple[str, bytes]:
    data = ComplaintOpened(complaint_id=complaint_id, customer_id=customer_id, category="conduct", opened_at=opened_at)
    _, value = encode(data, source="tests/outreach", time=opened_at, subject=customer_id)
    return customer_id, value


def complaint_resolved(complaint_id: str, customer_id: str, resolved_at: datetime) -> tuple[str, bytes]:
    data = ComplaintResolved(complaint_id=complaint_id, customer_id=customer_id, resolution="upheld",
                             resolved_at=resolved_at)
    _, value = encode(data, source="tests/outreach", time=resolved_at, subject=customer_id)
    return customer_id, value


def preferences_changed(customer_id: str, changed_at: datetime, *, stop_contact: bool = False,
                        channel: str | None = None, hours: tuple[str, str] | None = None) -> tuple[str, bytes]:
    data = ContactPreferencesChanged(customer_id=customer_id, stop_contact=stop_contact, preferred_channel=channel,
                                     preferred_hours_start=hours[0] if hours else None,
                                     preferred_hours_end=hours[1] if hours else None, changed_at=changed_at)
    _, value = encode(data, source="tests/outreach", time=changed_at, subject=customer_id)
    return customer_id, value


def loan_paid_up(loan_id: str, customer_id: str, paid_at: datetime) -> tuple[str, bytes]:
    """delinquency.loan_paid_up as overdue detection publishes it the moment the payment is read."""
    data = LoanPaidUp(loan_id=loan_id, customer_id=customer_id, case_id=f"case-{loan_id}", payment_id=f"P-{loan_id}",
                      paid_at=paid_at, outstanding_amount=60_000, currency="CNY")
    _, value = encode(data, source="tests/overdue", time=paid_at, subject=loan_id)
    return loan_id, value


def dispute_opened(loan_id: str, customer_id: str, at_: datetime) -> tuple[str, bytes]:
    data = LoanDisputeOpened(loan_id=loan_id, customer_id=customer_id, case_id=f"case-{loan_id}",
                             dispute_id=f"D-{loan_id}", at=at_, reason="goods_not_received")
    _, value = encode(data, source="tests/overdue", time=at_, subject=loan_id)
    return loan_id, value


def agreement_signed(loan_id: str, customer_id: str, signed_at: datetime) -> tuple[str, bytes]:
    data = AgreementSigned(agreement_id=f"A-{loan_id}", case_id=f"case-{loan_id}", loan_id=loan_id,
                           customer_id=customer_id, signed_at=signed_at, method="in_person_tablet", text_hash="0" * 64)
    _, value = encode(data, source="tests/agreement", time=signed_at, subject=loan_id)
    return loan_id, value


@dataclass
class DispatchUnderTest(ServiceUnderTest):
    service: ClassVar[str] = "dispatch"
    events_topic: ClassVar[str] = "dispatch_events_topic"
    consumed_topics: ClassVar[tuple[str, ...]] = ("outreach_events_topic", "delinquency_events_topic",
                                                  "agreement_events_topic", "clock_topic")
    settings_class: ClassVar[type] = DispatchSettings
    app_factory = staticmethod(create_app)
    tokens: ClassVar[str] = TOKENS
    test_settings: ClassVar[dict] = {"sandbox_field_team": False}

    # --- what goes in -------------------------------------------------------------------------

    async def send_outreach(self, *events: tuple[str, bytes]) -> None:
        """outreach-events as (key, bytes): visit requests, complaints."""
        await self.produce("outreach_events_topic", events)

    async def request_visit(self, request_id: str, **fields) -> str:
        """Send a visit request and wait until it is scheduled; returns the visit id."""
        await self.send_outreach(visit_requested(request_id, **fields))
        [scheduled] = await self.wait_emitted("dispatch.visit_scheduled", visit_request_id=request_id)
        return scheduled["data"]["visit_id"]

    async def add_collector(self, body: dict, collector_id: str | None = None) -> str:
        """A new roster entry; named `collector_id` (PUT) or with an id the service makes up (POST)."""
        if collector_id is None:
            status, answer = await self.post("/collectors", body, SUPERVISOR)
        else:
            status, answer = await self.put(f"/collectors/{collector_id}", body, SUPERVISOR)
        assert status == 201, answer
        return answer["collector_id"]

    # --- what comes out -----------------------------------------------------------------------

    async def visit(self, visit_id: str) -> asyncpg.Record | None:
        rows = await self.query("SELECT * FROM visits WHERE visit_id = $1", visit_id)
        return rows[0] if rows else None


running_dispatch = DispatchUnderTest.running
