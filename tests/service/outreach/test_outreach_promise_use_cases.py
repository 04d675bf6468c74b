"""Promises to pay on a real Postgres: kept only by payments made between the promise and its date plus the grace
(on the portfolio's calendar), whatever came before or after."""
from datetime import datetime, timedelta

from services.outreach.outcomes import record_outcome
from tests.helpers.loan_events import SHANGHAI, payment
from tests.helpers.outreach import at
from tests.service.outreach.support import CTX, DAY, EVENTS, handle, overdue_case, tick_at

DUE = DAY + timedelta(days=4)  # promised for; the grace is 2 days: payments count until DUE + 3 at 00:00


async def promised(tx, label: str) -> str:
    """A call that ended in a promise of CNY 600 by DUE, made at 10:00 on DAY; returns the promise id."""
    case_id = await overdue_case(tx, label)
    await tx.conn.execute("UPDATE cases SET ladder = 'early', step_index = 1 WHERE case_id = $1", case_id)
    await tick_at(tx, at(DAY, 10))
    attempt_id = await tx.conn.fetchval("SELECT attempt_id FROM contact_attempts WHERE case_id = $1", case_id)
    await record_outcome(tx, CTX, attempt_id, "promise_to_pay", (60_000, DUE))
    return f"promise-{attempt_id}"


async def pay(tx, payment_id: str, amount: int, when: datetime) -> None:
    await handle(tx, "loan-events", payment(payment_id, "L1", amount, when)[1:])


async def promise(tx, promise_id: str):
    return await tx.conn.fetchrow("SELECT status, paid_amount, counts_until FROM promises WHERE promise_id = $1",
                                  promise_id)


async def test_only_payments_between_the_promise_and_its_deadline_count(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        promise_id = await promised(tx, "promise-window")
        deadline = datetime.combine(DUE + timedelta(days=3), datetime.min.time(), SHANGHAI)
        assert (await promise(tx, promise_id))["counts_until"] == deadline
        await pay(tx, "P-before", 60_000, at(DAY, 9))  # before the promise was made
        await pay(tx, "P-in-time", 20_000, deadline - timedelta(minutes=1))
        await pay(tx, "P-late", 40_000, deadline + timedelta(minutes=1))  # after the grace: too late
        await tick_at(tx, deadline + timedelta(hours=1))
        row = await promise(tx, promise_id)
        assert (row["status"], row["paid_amount"]) == ("broken", 20_000)


async def test_a_promise_covered_in_time_is_kept_at_the_next_tick(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        promise_id = await promised(tx, "promise-kept")
        await pay(tx, "P1", 60_000, at(DUE + timedelta(days=2), 23, 59))  # the last minute of the grace
        await tick_at(tx, at(DUE + timedelta(days=3), 0, 5))
        row = await promise(tx, promise_id)
        assert (row["status"], row["paid_amount"]) == ("kept", 60_000)

