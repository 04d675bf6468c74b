"""create_app(settings): wire visit dispatch's parts together; nothing runs on import."""
from pathlib import Path

import asyncpg

from services.dispatch import api, metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.handlers import DispatchHandler
from services.dispatch.settings import DispatchSettings
from services.dispatch.store import visits
from shared.runtime import ServiceRuntime, spec_from

SERVICE = "dispatch"
MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: DispatchSettings) -> ServiceRuntime:
    ctx = Dispatch(
        policy=DispatchPolicy(speed_kmh=settings.travel_speed_kmh, load_weight_km=settings.load_weight_km),
        topic=settings.dispatch_events_topic, collectors_per_visit=settings.collectors_per_visit,
        sandbox_field_team=settings.sandbox_field_team,
    )
    spec = spec_from(
        settings, name=SERVICE,
        consumed_topics=[settings.outreach_events_topic, settings.delinquency_events_topic,
                         settings.agreement_events_topic, settings.clock_topic],
        produced_topics=[settings.dispatch_events_topic], clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        make_handler=lambda pool: DispatchHandler(ctx),
        make_routes=lambda pool, wake: api.routes(pool, ctx, wake),
        make_periodic=lambda pool: [(5.0, lambda: _gauges(pool))],
    )
    return ServiceRuntime(spec)


async def _gauges(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        by_status = await visits.counts(conn)
        active = await conn.fetchval("SELECT count(*) FROM collectors WHERE active")
    for status in ("assigned", "unassignable", "checked_in", "completed", "cancelled"):
        metrics.VISITS.labels(status).set(by_status.get(status, 0))
    metrics.COLLECTORS_ACTIVE.set(active)
