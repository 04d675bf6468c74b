"""create_app(settings): wire overdue detection's parts together; nothing runs on import."""
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from services.overdue import api, metrics
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.handlers import OverdueHandler
from services.overdue.settings import OverdueSettings
from services.overdue.store import reads
from services.overdue.transitions import Evaluator
from shared.runtime import ServiceRuntime, spec_from

SERVICE = "overdue"
MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: OverdueSettings) -> ServiceRuntime:
    policy = Policy(grace_days=settings.grace_days, buckets=BucketTable.parse(settings.buckets))
    zone = ZoneInfo(settings.portfolio_time_zone)
    evaluator = Evaluator(policy=policy, topic=settings.delinquency_events_topic)

    async def refresh_portfolio(pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn:
            book = await reads.portfolio(conn)
        export_portfolio(book, policy)

    spec = spec_from(
        settings,
        name=SERVICE,
        consumed_topics=[settings.loan_events_topic, settings.clock_topic],
        produced_topics=[settings.delinquency_events_topic],
        clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        make_handler=lambda pool: OverdueHandler(evaluator=evaluator, zone=zone),
        make_routes=lambda pool, wake: api.routes(pool, policy, zone),
        make_periodic=lambda pool: [(settings.portfolio_refresh_seconds, lambda: refresh_portfolio(pool))],
    )
    return ServiceRuntime(spec)


def export_portfolio(book: dict, policy: Policy) -> None:
    for status in ("active", "closed"):
        metrics.LOANS.labels(status).set(book["loans_by_status"].get(status, 0))
    for label in policy.buckets.labels:
        count, amount = book["overdue_by_bucket"].get(label, (0, 0))
        metrics.OVERDUE_LOANS.labels(label).set(count)
        metrics.OVERDUE_AMOUNT.labels(label).set(amount)
    metrics.PAYMENTS_HELD.set(book["payments_held"])
