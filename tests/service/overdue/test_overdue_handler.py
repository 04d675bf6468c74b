"""Overdue detection's handler and statement use case on a real Postgres, without Kafka."""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.overdue.announcements import emitter
from services.overdue.domain.buckets import BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.evaluator import Evaluator
from services.overdue.handlers import OverdueHandler
from services.overdue.statements import statement
from shared.refusal import NotFound
from tests.helpers.loan_events import SHANGHAI, local, originated, payment, tick_closing
from tests.helpers.service_tier import emitted, incoming

DUE = date(2026, 3, 10)
POLICY = Policy(grace_days=0, buckets=BucketTable.parse("1-30,31-60,61-90,91-180,181+"))
HANDLER = OverdueHandler(Evaluator(POLICY), ZoneInfo("Asia/Shanghai"))


def loan_events(*events):
    return incoming("loan-events", *[(key, value) for _, key, value in events])


def ticks(*days: date):
    return incoming("clock", *[("clock", tick_closing(day)[1]) for day in days])


async def test_an_unpaid_instalment_becomes_overdue_the_day_after_it_falls_due(overdue_db):
    async with overdue_db.rolled_back(emitter("delinquency-events"), None) as tx:
        await HANDLER(tx, loan_events(originated("L-1", "C-1", [(DUE, 1000), (DUE + timedelta(days=30), 1000)],
                                                 DUE - timedelta(days=40))))
        await HANDLER(tx, ticks(DUE))
        assert emitted(tx) == []
        await HANDLER(tx, ticks(DUE + timedelta(days=1)))
        [(kind, data)] = emitted(tx)
        assert kind == "delinquency.loan_became_overdue"
        assert (data.loan_id, data.days_past_due, data.overdue_amount) == ("L-1", 1, 1000)


async def test_a_payment_for_a_closed_day_cures_and_settles_the_loan_at_once(overdue_db):
    async with overdue_db.rolled_back(emitter("delinquency-events"), None) as tx:
        await HANDLER(tx, loan_events(originated("L-2", "C-2", [(DUE, 1000)], DUE - timedelta(days=40))))
        await HANDLER(tx, ticks(DUE + timedelta(days=1)))
        await HANDLER(tx, loan_events(payment("P-1", "L-2", 1000, local(DUE + timedelta(days=1), 12))))
        kinds = [kind for kind, _ in emitted(tx)]
        assert kinds == ["delinquency.loan_became_overdue", "delinquency.loan_cured", "delinquency.loan_settled"]


async def test_a_statement_for_an_unknown_loan_is_refused_as_not_found(overdue_db):
    async with overdue_db.rolled_back(emitter("delinquency-events"), None) as tx:
        with pytest.raises(NotFound):
            await statement(tx.conn, POLICY, SHANGHAI, "L-unknown", DUE)
