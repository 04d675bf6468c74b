"""create_app(settings): wire agreement tracking's parts together; nothing runs on import."""
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from services.agreement import api, metrics
from services.agreement.context import Agreements
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.handlers import AgreementHandler
from services.agreement.settings import AgreementSettings
from services.agreement.store import agreements
from shared.runtime import ServiceRuntime, spec_from

SERVICE = "agreement"
MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: AgreementSettings) -> ServiceRuntime:
    ctx = Agreements(policy=AgreementPolicy.load(settings.policy_path), topic=settings.agreement_events_topic,
                     zone=ZoneInfo(settings.portfolio_time_zone), sandbox_signatures=settings.sandbox_signatures)
    spec = spec_from(
        settings, name=SERVICE,
        consumed_topics=[settings.loan_events_topic, settings.delinquency_events_topic,
                         settings.dispatch_events_topic, settings.clock_topic],
        produced_topics=[settings.agreement_events_topic], clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        make_handler=lambda pool: AgreementHandler(ctx),
        make_routes=lambda pool, wake: api.routes(pool, ctx, wake),
        make_periodic=lambda pool: [(5.0, lambda: _gauges(pool))],
    )
    return ServiceRuntime(spec)


async def _gauges(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        by_status = await agreements.counts(conn)
    for status in ("proposed", "approved", "active", "fulfilled", "broken", "ended"):
        metrics.BY_STATUS.labels(status).set(by_status.get(status, 0))
