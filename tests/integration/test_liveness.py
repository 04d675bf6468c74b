"""Liveness tells the truth: a consumer stuck on one batch while its dependencies answer fails
/healthz (only a restart helps), and passes again once the batch goes through."""
from datetime import date

import asyncpg

from tests.helpers.loan_events import originated
from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.waiting import eventually


async def test_a_consumer_stuck_on_a_batch_fails_liveness_until_it_moves(stack):
    async with OverdueUnderTest.running(stack, liveness_stall_seconds=1.0) as overdue:
        assert await _healthz(overdue) == 200
        blocker = await asyncpg.connect(overdue.settings.database_url)
        try:
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute("LOCK TABLE loans IN ACCESS EXCLUSIVE MODE")  # the batch waits on it
            loan = originated("L-stuck", "C-stuck", [(date(2026, 4, 5), 5_000)], date(2026, 2, 1))
            await overdue.send(loan)
            await eventually(lambda: _status_is(overdue, 500), timeout=30, what="/healthz failing")
            await transaction.rollback()
        finally:
            await blocker.close()
        await overdue.processed(loan[2])
        await eventually(lambda: _status_is(overdue, 200), what="/healthz passing again")


async def _status_is(service, status: int) -> bool:
    return await _healthz(service) == status


async def _healthz(service) -> int:
    status, _ = await service.get("/healthz")
    return status
