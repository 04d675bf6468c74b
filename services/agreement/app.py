"""create_app(settings): wire agreement tracking's parts together; nothing runs on import."""
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from services.agreement import api, metrics
from services.agreement.context import Context
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.handlers import AgreementHandler
from services.agreement.settings import AgreementSettings
from services.agreement.store import agreements
from shared.db.tx import Emitter, UnitOfWork
from shared.runtime import ServiceRuntime, ServiceSpec

SERVICE = "agreement"
MIGRATIONS = Path(__file__).with_name("migrations")
SOURCE = "collections/agreement-tracking"
EVENT_IDS = uuid.UUID("c4a2e1f0-7b3d-5c9e-8f1a-2d4b6e8c0a13")  # never change: ids must survive replays
STATUSES = ("proposed", "approved", "active", "fulfilled", "broken", "ended")


def emitter(topic: str) -> Emitter:
    """Agreement events on `topic`, ids derived from their cause in EVENT_IDS."""
    return Emitter(source=SOURCE, topic=topic, namespace=EVENT_IDS)


def create_app(settings: AgreementSettings) -> ServiceRuntime:
    ctx = Context(policy=AgreementPolicy.load(settings.policy_path), zone=ZoneInfo(settings.portfolio_time_zone))
    return ServiceRuntime(ServiceSpec(
        name=SERVICE, settings=settings,
        consumed_topics=[settings.loan_events_topic, settings.delinquency_events_topic,
                         settings.dispatch_events_topic, settings.clock_topic],
        emitter=emitter(settings.agreement_events_topic),
        clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        handler=AgreementHandler(ctx, sandbox_signatures=settings.sandbox_signatures),
        routes=lambda unit: api.routes(unit, ctx),
        periodic=lambda unit: [(5.0, lambda: export_counts(unit))],
    ))


async def export_counts(unit: UnitOfWork) -> None:
    by_status = await unit.read(agreements.counts)
    for status in STATUSES:
        metrics.BY_STATUS.labels(status).set(by_status.get(status, 0))
