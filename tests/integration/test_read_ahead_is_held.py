"""A loan system's event read ahead of a service's time is held and takes effect at the first tick at or after
its own time (docs/time.md): outreach never acts at 12:00 on a phone number the borrower gave at 12:30, however
far ahead its consumer has read; a late event takes effect at once."""
from datetime import timedelta

from shared.events.codec import encode
from shared.events.loan import CustomerContactUpdated
from tests.helpers.outreach import OVERDUE_DAY, OutreachUnderTest
from tests.helpers.service_under_test import at
from tests.helpers.waiting import eventually

DAY = OVERDUE_DAY + timedelta(days=1)
NEW_NUMBER = "+8613900139000"


def contact_update(customer_id: str, phones: list[str], when) -> tuple[str, str, bytes]:
    event_id, value = encode(CustomerContactUpdated(customer_id=customer_id, phones=phones),
                             source="tests/loan-system", time=when, subject=customer_id)
    return event_id, customer_id, value


async def _numbers(outreach: OutreachUnderTest, customer_id: str) -> set[str]:
    rows = await outreach.query("SELECT destination FROM contact_points WHERE customer_id = $1 AND kind = 'borrower'",
                                customer_id)
    return {r["destination"] for r in rows}


async def test_a_phone_change_read_ahead_of_the_clock_takes_effect_at_its_own_time(stack):
    async with OutreachUnderTest.running(stack) as outreach:
        await outreach.borrower("L1", "C1")
        await outreach.tick(at(DAY, 12))
        before = await _numbers(outreach, "C1")
        assert NEW_NUMBER not in before

        update = contact_update("C1", [NEW_NUMBER], at(DAY, 12, 30))
        await outreach.send_loan_events(update)
        await eventually(lambda: outreach.query("SELECT 1 FROM held_events WHERE event_id = $1", update[0]),
                         what="the update held")
        assert await _numbers(outreach, "C1") == before, "a fact of 12:30 took effect at 12:00"

        await outreach.tick(at(DAY, 13))
        assert NEW_NUMBER in await _numbers(outreach, "C1")
        assert not await outreach.query("SELECT 1 FROM held_events")


async def test_a_late_event_takes_effect_at_once(stack):
    async with OutreachUnderTest.running(stack) as outreach:
        await outreach.borrower("L1", "C1")
        await outreach.tick(at(DAY, 12))
        update = contact_update("C1", [NEW_NUMBER], at(DAY, 11))
        await outreach.send_loan_events(update)
        await outreach.processed(update[2])
        assert NEW_NUMBER in await _numbers(outreach, "C1")
