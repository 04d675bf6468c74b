"""What outreach's service-tier tests share: the context and handler, a borrower with an overdue case, ticks,
and reading back cases and attempts, all inside the test's rolled-back transaction.

Every borrower lives in Asia/Shanghai; times are their wall clock. The champion strategy puts these cases
(bucket 1-30, medium risk, CNY 600 overdue) on its `early` ladder: an SMS reminder, a call a day later, then a
visit.
"""
import asyncio
from datetime import timedelta

from services.outreach.app import emitter
from services.outreach.channels.base import OutboundMessage, SendResult
from services.outreach.context import Outreach
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.strategy import StrategyTable
from services.outreach.handlers import OutreachHandler
from tests.helpers.loan_events import SHANGHAI, originated
from tests.helpers.outreach import LOAN_START, OVERDUE_DAY, SCHEDULE, champion_case_id, tick
from tests.helpers.service_tier import emitted, incoming
from tests.service.outreach.events import became_overdue

DAY = OVERDUE_DAY + timedelta(days=1)  # the first day outreach can act on the case
CTX = Outreach(rulebook=RuleBook.load(), strategy=StrategyTable.load(), callback_number="400-820-0000",
               promise_grace_days=2, due_cases_per_tick=2000, zone=SHANGHAI)
HANDLER = OutreachHandler(CTX, SHANGHAI)
EVENTS = emitter("outreach-events")


class InThisTransaction:
    """A unit of work that runs every piece of work in the test's own rolled-back transaction, one at a time
    (a connection runs one statement at a time; the sender sends several attempts at once)."""

    def __init__(self, tx):
        self.tx = tx
        self._one_at_a_time = asyncio.Lock()

    async def run(self, work, require_clock: bool = True):
        async with self._one_at_a_time:
            return await work(self.tx)


async def overdue_case(tx, label: str, loan_id: str = "L1", customer_id: str = "C1", **fields) -> str:
    case_id = champion_case_id(label)
    await borrower(tx, loan_id, customer_id)
    await handle(tx, "delinquency-events", became_overdue(loan_id, customer_id, case_id, **fields))
    return case_id


async def borrower(tx, loan_id: str = "L1", customer_id: str = "C1") -> None:
    """The loan's origination: the borrower, their phone, zone and address."""
    _, key, value = originated(loan_id, customer_id, SCHEDULE, LOAN_START)
    await HANDLER(tx, incoming("loan-events", (key, value)))


async def handle(tx, topic: str, *messages: tuple[str, bytes]) -> None:
    """(key, bytes) pairs consumed from `topic` in one batch."""
    await HANDLER(tx, incoming(topic, *messages))


async def tick_at(tx, when) -> None:
    await HANDLER(tx, incoming("clock", ("clock", tick(when))))


def kinds(tx) -> list[str]:
    return [kind for kind, _ in emitted(tx)]


async def case_row(tx, case_id: str):
    return await tx.conn.fetchrow("SELECT * FROM cases WHERE case_id = $1", case_id)


async def only_attempt(tx, customer_id: str = "C1"):
    [attempt] = await tx.conn.fetch("SELECT * FROM contact_attempts WHERE customer_id = $1", customer_id)
    return attempt


async def attempts(tx, customer_id: str = "C1"):
    return await tx.conn.fetch("SELECT * FROM contact_attempts WHERE customer_id = $1 ORDER BY decided_at",
                               customer_id)


async def decisions(tx, customer_id: str = "C1", allowed: bool = False):
    return await tx.conn.fetch("SELECT * FROM contact_decisions WHERE customer_id = $1 AND allowed = $2"
                               " ORDER BY decided_at, decision_id", customer_id, allowed)


def blocked(tx) -> list:
    """The `outreach.contact_blocked` events emitted so far."""
    return [data for kind, data in emitted(tx) if kind == "outreach.contact_blocked"]


class RecordingGateway:
    """A channel provider that answers every message the same way and keeps what it was handed."""

    def __init__(self, status: str = "accepted", detail: str = "http 202"):
        self.status, self.detail = status, detail
        self.sent: list[OutboundMessage] = []

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(self.status, self.detail)
