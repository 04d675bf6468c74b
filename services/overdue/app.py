"""create_app(settings): wire overdue detection's parts together; nothing runs on import."""
from pathlib import Path
from zoneinfo import ZoneInfo

from services.overdue import api, metrics
from services.overdue.announcements import emitter
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.evaluator import Evaluator
from services.overdue.handlers import OverdueHandler
from services.overdue.settings import OverdueSettings
from services.overdue.store import reads
from shared.db.tx import UnitOfWork
from shared.runtime import ServiceRuntime, ServiceSpec

SERVICE = "overdue"
MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: OverdueSettings) -> ServiceRuntime:
    policy = Policy(grace_days=settings.grace_days, buckets=BucketTable.parse(settings.buckets))
    zone = ZoneInfo(settings.portfolio_time_zone)

    async def refresh_portfolio(unit: UnitOfWork) -> None:
        export_portfolio(await unit.read(reads.portfolio), policy)

    return ServiceRuntime(ServiceSpec(
        name=SERVICE, settings=settings,
        consumed_topics=[settings.loan_events_topic, settings.clock_topic],
        emitter=emitter(settings.delinquency_events_topic),
        clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        handler=OverdueHandler(evaluator=Evaluator(policy), zone=zone),
        routes=lambda unit: api.routes(unit, policy, zone),
        periodic=lambda unit: [(settings.portfolio_refresh_seconds, lambda: refresh_portfolio(unit))],
    ))


def export_portfolio(book: dict, policy: Policy) -> None:
    for status in ("active", "closed"):
        metrics.LOANS.labels(status).set(book["loans_by_status"].get(status, 0))
    for label in policy.buckets.labels:
        count, amount = book["overdue_by_bucket"].get(label, (0, 0))
        metrics.OVERDUE_LOANS.labels(label).set(count)
        metrics.OVERDUE_AMOUNT.labels(label).set(amount)
    metrics.PAYMENTS_HELD.set(book["payments_held"])
