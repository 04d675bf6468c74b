"""create_app(settings): wire visit dispatch's parts together; nothing runs on import."""
import uuid
from pathlib import Path

import asyncpg

from services.dispatch import api, metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.handlers import DispatchHandler
from services.dispatch.settings import DispatchSettings
from services.dispatch.store import roster, visits
from shared.db.tx import Emitter, UnitOfWork
from shared.runtime import ServiceRuntime, ServiceSpec

SERVICE = "dispatch"
MIGRATIONS = Path(__file__).with_name("migrations")
SOURCE = "collections/visit-dispatch"
_EVENT_IDS = uuid.UUID("8d3c2b1a-4e5f-5a6b-9c7d-0e1f2a3b4c5d")  # never change: ids must survive replays
VISIT_STATUSES = ("assigned", "unassignable", "checked_in", "completed", "cancelled")


def emitter(topic: str) -> Emitter:
    """Dispatch's events: their CloudEvents source, topic (dispatch-events) and event-id namespace."""
    return Emitter(source=SOURCE, topic=topic, namespace=_EVENT_IDS)


def create_app(settings: DispatchSettings) -> ServiceRuntime:
    dispatch = Dispatch(
        policy=DispatchPolicy(speed_kmh=settings.travel_speed_kmh, load_weight_km=settings.load_weight_km),
        collectors_per_visit=settings.collectors_per_visit, sandbox_field_team=settings.sandbox_field_team,
    )
    return ServiceRuntime(ServiceSpec(
        name=SERVICE, settings=settings,
        consumed_topics=[settings.outreach_events_topic, settings.delinquency_events_topic,
                         settings.agreement_events_topic, settings.clock_topic],
        emitter=emitter(settings.dispatch_events_topic),
        clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        handler=DispatchHandler(dispatch),
        routes=lambda unit: api.routes(unit, dispatch),
        periodic=lambda unit: [(5.0, lambda: export_gauges(unit))],
    ))


async def export_gauges(unit: UnitOfWork) -> None:
    async def read(conn: asyncpg.Connection) -> tuple[dict[str, int], int]:
        return await visits.counts(conn), await roster.count_active(conn)

    by_status, active = await unit.read(read)
    for status in VISIT_STATUSES:
        metrics.VISITS.labels(status).set(by_status.get(status, 0))
    metrics.COLLECTORS_ACTIVE.set(active)
