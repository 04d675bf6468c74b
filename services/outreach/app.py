"""create_app(settings): wire outreach's parts together; nothing runs on import."""
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from services.outreach import api, metrics
from services.outreach.channels.sandbox import SandboxProvider
from services.outreach.channels.webhook import WebhookProvider
from services.outreach.context import Outreach
from services.outreach.dispatcher import Dispatcher
from services.outreach.domain.policy import RuleBook
from services.outreach.domain.strategy import StrategyTable
from services.outreach.handlers import OutreachHandler
from services.outreach.outcomes import record_outcome
from services.outreach.sandbox_borrower import answer_visit_offer
from services.outreach.settings import OutreachSettings
from services.outreach.store import cases, complaints
from shared.db.unit_of_work import UnitOfWork
from shared.runtime import ServiceRuntime, spec_from

SERVICE = "outreach"
MIGRATIONS = Path(__file__).with_name("migrations")


def create_app(settings: OutreachSettings) -> ServiceRuntime:
    ctx = Outreach(
        rulebook=RuleBook.load(settings.rulebook_path), strategy=StrategyTable.load(settings.strategy_path),
        topic=settings.outreach_events_topic, callback_number=settings.callback_number,
        promise_grace_days=settings.promise_grace_days, visit_offer_tries=settings.visit_offer_tries,
        due_cases_per_tick=settings.due_cases_per_tick,
    )
    runtime: ServiceRuntime | None = None

    def channel_worker(pool: asyncpg.Pool) -> list:
        unit = UnitOfWork(pool, lambda: runtime.relay.wake())

        async def report(attempt_id: str, outcome: str) -> None:
            await unit.run(lambda conn, now, after: _outcome(conn, ctx, attempt_id, outcome, now, after))

        async def sandbox_report(attempt_id: str, outcome: str) -> None:
            await report(attempt_id, outcome)
            if outcome == "delivered":
                await answer_visit_offer(unit, ctx, attempt_id)

        provider = SandboxProvider(sandbox_report) if settings.channel_provider == "sandbox" else WebhookProvider(
            settings.webhook_url, settings.webhook_timeout_seconds, settings.webhook_token or None)
        return [ChannelWorker(Dispatcher(pool, provider, on_failed=lambda attempt: report(attempt, "failed")),
                              provider)]

    spec = spec_from(
        settings, name=SERVICE,
        consumed_topics=[settings.loan_events_topic, settings.delinquency_events_topic,
                         settings.dispatch_events_topic, settings.agreement_events_topic, settings.clock_topic],
        produced_topics=[settings.outreach_events_topic], clock_topics=(settings.clock_topic,),
        migrations=MIGRATIONS,
        make_handler=lambda pool: OutreachHandler(ctx, ZoneInfo(settings.portfolio_time_zone)),
        make_routes=lambda pool, wake: api.routes(pool, ctx, wake),
        make_periodic=lambda pool: [(15.0, lambda: _gauges(pool))],
        make_workers=channel_worker,
    )
    runtime = ServiceRuntime(spec)
    return runtime


async def _outcome(conn, ctx: Outreach, attempt_id: str, outcome: str, now, after):
    messages = await record_outcome(conn, ctx, attempt_id, outcome, now, after)
    return None, messages or []


async def _gauges(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        open_cases = await cases.open_counts(conn)
        open_complaints = await complaints.open_count(conn)
    for variant in ("champion", "challenger"):
        metrics.CASES_OPEN.labels(variant).set(open_cases.get(variant, 0))
    metrics.COMPLAINTS_OPEN.set(open_complaints)


class ChannelWorker:
    """The dispatcher and its provider, started and stopped with the service."""

    def __init__(self, dispatcher: Dispatcher, provider):
        self.dispatcher, self.provider = dispatcher, provider

    async def start(self) -> None:
        await self.provider.start()

    async def run(self) -> None:
        await self.dispatcher.run()

    def stop(self) -> None:
        self.dispatcher.stop()

    async def close(self) -> None:
        await self.provider.close()
