"""create_app(settings): wire outreach's parts together; nothing runs on import."""
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from services.outreach import api, metrics, sandbox
from services.outreach.channels.base import Provider
from services.outreach.channels.sandbox import SandboxProvider
from services.outreach.channels.sender import Sender
from services.outreach.channels.webhook import WebhookProvider
from services.outreach.context import Outreach
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.strategy import StrategyTable
from services.outreach.handlers import OutreachHandler
from services.outreach.last_check import clear_to_send
from services.outreach.outcomes import record_outcome
from services.outreach.settings import OutreachSettings
from services.outreach.store import cases, complaints
from shared.db.tx import Emitter, UnitOfWork
from shared.runtime import ServiceRuntime, ServiceSpec, Worker
from shared.upstream import Edge

SERVICE = "outreach"
MIGRATIONS = Path(__file__).with_name("migrations")
SOURCE = "collections/outreach"
_EVENT_IDS = uuid.UUID("5b1f0f8e-9c43-5f0e-8a57-0c2d3f8e9b14")  # never change: ids must survive replays


def emitter(topic: str) -> Emitter:
    """Outreach's events: their CloudEvents source, topic (outreach-events) and event-id namespace."""
    return Emitter(source=SOURCE, topic=topic, namespace=_EVENT_IDS)


def create_app(settings: OutreachSettings) -> ServiceRuntime:
    ctx = Outreach(
        rulebook=RuleBook.load(settings.rulebook_path), strategy=StrategyTable.load(settings.strategy_path),
        callback_number=settings.callback_number, promise_grace_days=settings.promise_grace_days,
        due_cases_per_tick=settings.due_cases_per_tick, zone=ZoneInfo(settings.portfolio_time_zone),
    )
    return ServiceRuntime(ServiceSpec(
        name=SERVICE, settings=settings,
        consumed_topics=[settings.loan_events_topic, settings.delinquency_events_topic,
                         settings.dispatch_events_topic, settings.agreement_events_topic, settings.clock_topic],
        emitter=emitter(settings.outreach_events_topic),
        clock_topics=(settings.clock_topic,),
        # A borrower's new phone number takes effect at its own time, however far ahead it was read. Only
        # contact changes are held for now: outreach's paid-up and dispute holds expect the payment and the loan
        # to be known when overdue detection's announcement about them arrives (docs/time.md).
        upstream={settings.loan_events_topic: Edge.EVENT_TIME},
        held_types=frozenset({"customer.contact_updated"}),
        migrations=MIGRATIONS,
        handler=OutreachHandler(ctx, ctx.zone),
        routes=lambda unit: api.routes(unit, ctx),
        periodic=lambda unit: [(15.0, lambda: export_gauges(unit))],
        workers=lambda unit: [sender(unit, ctx, settings)],
    ))


def sender(unit: UnitOfWork, ctx: Outreach, settings: OutreachSettings) -> Worker:
    """Sends allowed attempts through the configured provider, each judged again by the rule book right before it
    is handed over; an attempt given up is recorded as failed."""
    provider: Provider
    if settings.channel_provider == "sandbox":
        provider = SandboxProvider(sandbox.reporter(unit, ctx))
    else:
        provider = WebhookProvider(settings.webhook_url, settings.webhook_timeout_seconds,
                                   settings.webhook_token or None)

    async def failed(attempt_id: str) -> None:
        await unit.run(lambda tx: record_outcome(tx, ctx, attempt_id, "failed"))

    return Sender(unit, provider, on_failed=failed,
                  last_check=lambda tx, attempt: clear_to_send(tx, ctx, attempt))


async def export_gauges(unit: UnitOfWork) -> None:
    async def read(conn: asyncpg.Connection) -> tuple[dict[str, int], int]:
        return await cases.open_counts(conn), await complaints.open_count(conn)

    open_cases, open_complaints = await unit.read(read)
    for variant in ("champion", "challenger"):
        metrics.CASES_OPEN.labels(variant).set(open_cases.get(variant, 0))
    metrics.COMPLAINTS_OPEN.set(open_complaints)
