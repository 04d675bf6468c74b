"""The borrower's preferences on a real Postgres: honoured at once, announced to dispatch
(`outreach.contact_preferences_changed`), and the latest change always wins."""
import json
from datetime import time

import pytest

from services.outreach.borrower_rights import set_preferences
from services.outreach.domain.model import Preferences
from services.outreach.domain.windows import HoursWindow
from services.outreach.store import people
from shared.refusal import NotFound
from tests.helpers.outreach import at
from tests.helpers.service_tier import emitted
from tests.service.outreach.support import DAY, EVENTS, case_row, overdue_case, tick_at

EVENING = HoursWindow(time(18, 30), time(20))


def changes(tx) -> list:
    return [data for kind, data in emitted(tx) if kind == "outreach.contact_preferences_changed"]


async def test_setting_preferences_announces_them_for_every_service_that_contacts(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "prefs-announced")
        await tick_at(tx, at(DAY, 9))
        changed_at = await set_preferences(tx, "C1", Preferences(False, "visit", EVENING))

        [announced] = changes(tx)
        assert announced.model_dump() == {
            "customer_id": "C1", "stop_contact": False, "preferred_channel": "visit",
            "preferred_hours_start": "18:30", "preferred_hours_end": "20:00", "changed_at": at(DAY, 9)}
        assert changed_at == at(DAY, 9)
        [message] = [m for m in tx.outbox if json.loads(m.payload)["type"] == "outreach.contact_preferences_changed"]
        assert message.key == "C1" and message.topic == "outreach-events"

        await set_preferences(tx, "C1", Preferences(stop_contact=True))
        stop = changes(tx)[-1]
        assert (stop.stop_contact, stop.preferred_channel, stop.preferred_hours_start, stop.preferred_hours_end) == (
            True, None, None, None)


async def test_two_changes_within_one_tick_are_announced_in_the_order_they_were_made(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "prefs-one-tick")
        await tick_at(tx, at(DAY, 9))
        first = await set_preferences(tx, "C1", Preferences(stop_contact=True))
        second = await set_preferences(tx, "C1", Preferences(preferred_channel="sms"))
        third = await set_preferences(tx, "C1", Preferences(stop_contact=True))

        assert first == at(DAY, 9) < second < third  # the clock did not move: a microsecond apart
        announced = changes(tx)
        assert [c.changed_at for c in announced] == [first, second, third]
        assert len({m.event_id for m in tx.outbox}) == len(tx.outbox)  # a change back is still a new event
        await tick_at(tx, at(DAY, 9, 5))
        assert await set_preferences(tx, "C1", Preferences()) == at(DAY, 9, 5)


async def test_an_older_change_never_replaces_a_newer_one(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await overdue_case(tx, "prefs-older")
        assert await people.save_preferences(tx.conn, "C1", Preferences(stop_contact=True), at(DAY, 10))
        assert not await people.save_preferences(tx.conn, "C1", Preferences(), at(DAY, 9))
        [row] = await tx.conn.fetch("SELECT stop_contact, updated_at FROM preferences WHERE customer_id = 'C1'")
        assert (row["stop_contact"], row["updated_at"]) == (True, at(DAY, 10))


async def test_a_change_resumes_cases_waiting_for_it_and_an_unknown_customer_is_refused(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        case_id = await overdue_case(tx, "prefs-resume")
        await tick_at(tx, at(DAY, 7))  # before contact hours: nothing sent yet
        await set_preferences(tx, "C1", Preferences(stop_contact=True))
        await tick_at(tx, at(DAY, 10))
        assert (await case_row(tx, case_id))["waiting_for"] == "preference"

        await set_preferences(tx, "C1", Preferences())
        assert (await case_row(tx, case_id))["next_action_at"] == at(DAY, 10)
        with pytest.raises(NotFound) as unknown:
            await set_preferences(tx, "C-nobody", Preferences())
        assert unknown.value.code == "customer_not_found"
        assert all(c.customer_id == "C1" for c in changes(tx))

