"""Duplicates change nothing; broken messages go to the dead-letter topic and the rest goes on."""
import json
from datetime import date

from tests.helpers.kafka import header
from tests.helpers.loan_events import local, originated, payment, tick_closing
from tests.helpers.waiting import eventually

SCHEDULE = [(date(2026, 2, 5), 10_000), (date(2026, 3, 5), 10_000)]


async def test_the_same_payment_twice_counts_once(overdue):
    first = payment("P1", "L1", 4_000, local(date(2026, 2, 1)))
    same_payment_new_event_id = payment("P1", "L1", 4_000, local(date(2026, 2, 1)), event_id="another-delivery")
    await overdue.send(originated("L1", "C1", SCHEDULE, date(2026, 1, 5)), first, first, same_payment_new_event_id,
                       tick_closing(date(2026, 2, 10)))
    events = await eventually(overdue.emitted, what="the loan going overdue")
    assert [e["data"]["overdue_amount"] for e in events] == [6_000]  # 10,000 due, 4,000 paid once
    rows = await overdue.query("SELECT count(*) AS n, sum(amount) AS total FROM payments WHERE loan_id = 'L1'")
    assert (rows[0]["n"], rows[0]["total"]) == (1, 4_000)
    inbox = await overdue.query("SELECT count(*) AS n FROM inbox WHERE topic = $1", overdue.settings.loan_events_topic)
    assert inbox[0]["n"] == 3  # origination, and the two distinct event ids


async def test_broken_messages_are_dead_lettered_with_reasons(overdue):
    good_before = originated("L2", "C2", SCHEDULE, date(2026, 1, 5))
    _, _, valid = payment("P2", "L2", 10_000, local(date(2026, 2, 5)))
    contract_broken = json.loads(valid)
    contract_broken["data"]["amount"] = -5
    unknown_type = json.loads(valid) | {"type": "loan.teleported", "id": "evt-unknown"}
    await overdue.send(good_before)
    await overdue.send_raw("L2", b"{not json")
    await overdue.send_raw("L2", json.dumps(contract_broken | {"id": "evt-broken"}).encode())
    await overdue.send_raw("L2", json.dumps(unknown_type).encode())
    await overdue.send_raw("L2", b'["a", "list"]')
    await overdue.send(payment("P3", "L2", 10_000, local(date(2026, 2, 5))), tick_closing(date(2026, 3, 10)))

    letters = await eventually(lambda: _at_least(overdue.dead_letters, 4), what="four dead letters")
    reasons = [header(r, "dlq-reason") for r in letters]
    assert sorted(reasons) == ["contract_violation", "invalid_json", "invalid_json", "unknown_type"]
    broken = next(r for r in letters if header(r, "dlq-reason") == "contract_violation")
    assert "amount" in header(broken, "dlq-detail") and "-5" not in header(broken, "dlq-detail")
    assert header(broken, "dlq-source-topic") == overdue.settings.loan_events_topic
    assert header(broken, "dlq-source-offset") is not None and json.loads(broken.value)["id"] == "evt-broken"

    events = await eventually(overdue.emitted, what="the good messages after the bad ones")
    assert [e["type"] for e in events] == ["delinquency.loan_became_overdue"]  # second instalment unpaid
    assert events[0]["data"]["overdue_amount"] == 10_000
    assert (await overdue.get("/readyz", token=None))[0] == 200


async def _at_least(read, count):
    records = await read()
    return records if len(records) >= count else None
