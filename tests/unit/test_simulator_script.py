"""The simulator's day-by-day plan: valid, deterministic, ordered, and honest about its counts."""
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as wall
from zoneinfo import ZoneInfo

import pytest

from shared.events.codec import decode
from simulator.book import BookConfig, build_book
from simulator.chaos import ChaosRates
from simulator.messages import VALID, Topics
from simulator.script import build_plan, payment_flood
from simulator.timeline import EventRates

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOK = BookConfig(seed=5, customers=150, start_date=date(2026, 1, 1), days=100)
CHAOS = ChaosRates(duplicate_rate=0.05, out_of_order_rate=0.1, malformed_rate=0.05)
RATES = EventRates(reversal_rate=0.05, reschedule_rate=0.1, contact_update_rate=0.3)


def make_plan(seed: int = 5):
    book = build_book(BookConfig(seed=seed, customers=150, start_date=date(2026, 1, 1), days=100))
    return build_plan(book, chaos=CHAOS, rates=RATES, topics=Topics("loans-test", "clock-test"))


@pytest.fixture(scope="module")
def plan():
    return make_plan()


def valid_decoded(plan):
    for day in plan.days:
        for message in day.messages:
            if message.kind == VALID:
                yield day, message, decode(message.value)


def test_same_seed_gives_byte_identical_messages(plan):
    again = make_plan()
    assert [(m.topic, m.key, m.value) for m in plan.messages()] == [(m.topic, m.key, m.value) for m in again.messages()]
    assert [m.value for m in make_plan(6).messages()] != [m.value for m in plan.messages()]


def test_every_valid_message_decodes_with_its_id_type_and_key(plan):
    for day, message, decoded in valid_decoded(plan):
        assert decoded.envelope.id == message.event_id and decoded.envelope.type == message.event_type
        if message.event_type == "clock.ticked":
            assert (message.topic, message.key) == ("clock-test", b"clock")
            continue
        assert message.topic == "loans-test"
        expected_key = getattr(decoded.data, "loan_id", None) or decoded.data.customer_id
        assert message.key.decode() == expected_key == decoded.envelope.subject
        assert decoded.envelope.time.astimezone(SHANGHAI).date() == day.business_date


def test_counts_and_ids_match_the_messages(plan):
    messages = list(plan.messages())
    valid = [m for m in messages if m.kind == VALID]
    assert plan.counts.valid_by_type == dict(Counter(m.event_type for m in valid))
    assert len(plan.valid_event_ids) == len(valid) == plan.counts.valid
    assert plan.counts.messages == len(messages)
    assert set(plan.counts.valid_by_type) - {"loan.dispute_resolved"} == {
        "loan.originated", "loan.payment_received", "loan.payment_reversed", "loan.rescheduled",
        "loan.closed", "customer.contact_updated", "clock.ticked", "loan.disputed",
    }  # (in this short book no dispute may have been resolved yet)
    assert plan.counts.duplicates > 0 and plan.counts.out_of_order > 0
    assert set(plan.counts.malformed_by_reason) == {"invalid_json", "contract_violation", "unknown_type"}


def test_one_clock_tick_closes_each_day_after_its_events(plan):
    assert [day.business_date for day in plan.days] == [date(2026, 1, 1) + timedelta(days=n) for n in range(100)]
    for day in plan.days:
        ticks = [m for m in day.messages if m.topic == "clock-test"]
        assert ticks == [day.messages[-1]]
        now = decode(ticks[0].value).data.now
        next_midnight = datetime.combine(day.business_date + timedelta(days=1), datetime.min.time(), SHANGHAI)
        assert now == next_midnight + timedelta(seconds=5)
        assert now.utcoffset() == timedelta(hours=8)


def test_no_loan_event_is_sent_before_its_origination_except_the_out_of_order_payments(plan):
    originated, early = set(), 0
    for day, message, decoded in valid_decoded(plan):
        loan_id = getattr(decoded.data, "loan_id", None)
        if message.event_type == "loan.originated":
            originated.add(loan_id)
        elif loan_id and loan_id not in originated:
            assert message.event_type == "loan.payment_received"
            later = [m for m in day.messages[day.messages.index(message):] if m.key == message.key]
            assert any(m.event_type == "loan.originated" and m.kind == VALID for m in later), (
                "origination later that day"
            )
            early += 1
    assert early == plan.counts.out_of_order > 0


def test_payments_reversals_and_closings_tell_a_consistent_story(plan):
    """Reversals undo an earlier payment; a loan closes once, paid off only when fully paid, nothing after."""
    paid, net, total, closed = {}, Counter(), {}, {}
    for _, message, decoded in valid_decoded(plan):
        data = decoded.data
        assert getattr(data, "loan_id", None) not in closed
        if message.event_type == "loan.originated":
            total[data.loan_id] = sum(instalment.amount_due for instalment in data.schedule)
        elif message.event_type == "loan.payment_received":
            assert data.currency == "CNY" and data.channel in {"alipay", "wechat", "bank_transfer", "card"}
            paid[data.payment_id] = data
            net[data.loan_id] += data.amount
        elif message.event_type == "loan.payment_reversed":
            assert paid[data.payment_id].amount == data.amount and data.reversed_at > paid[data.payment_id].paid_at
            net[data.loan_id] -= data.amount
        elif message.event_type == "loan.closed":
            assert data.reason != "paid_off" or net[data.loan_id] == total[data.loan_id]
            closed[data.loan_id] = data.reason
    assert plan.counts.valid_by_type["loan.payment_reversed"] > 0 and "paid_off" in closed.values()


def test_payment_flood_yields_originations_then_payments():
    messages = list(payment_flood(seed=1, loans=20, payments_per_loan=5))
    types = [decode(m.value).envelope.type for m in messages]
    assert types == ["loan.originated"] * 20 + ["loan.payment_received"] * 100
    assert len({m.event_id for m in messages}) == 120
    assert [m.value for m in payment_flood(seed=1, loans=20, payments_per_loan=5)] == [m.value for m in messages]


def test_intraday_ticks_follow_the_events_before_them_and_the_closing_tick_is_last():
    plan = build_plan(build_book(BookConfig(seed=3, customers=60, days=40)), intraday_ticks=(wall(9), wall(15)))
    for day in plan.days:
        ticks = [m for m in day.messages if m.event_type == "clock.ticked"]
        assert len(ticks) == 3 and day.messages[-1] is ticks[-1]
        last_tick = None
        for message in day.messages:
            if message.kind != "valid":
                continue
            moment = decode(message.value).envelope.time
            if message.event_type == "clock.ticked":
                last_tick = moment
            elif last_tick is not None:
                assert moment >= last_tick, "an event sent after a tick happened after it"


def test_some_purchases_are_disputed_and_an_upheld_dispute_is_refunded_by_the_merchant():
    book = build_book(BookConfig(seed=7, customers=2000, days=120))
    plan = build_plan(book, topics=Topics("loan-events-test", "clock-test"))
    events = [decode(m.value) for m in plan.messages() if m.kind == VALID and m.event_type.startswith("loan.dispute")]
    opened = {e.data.dispute_id: e.data for e in events if e.envelope.type == "loan.disputed"}
    resolved = {e.data.dispute_id: e.data for e in events if e.envelope.type == "loan.dispute_resolved"}
    assert len(opened) > 20 and resolved and set(resolved) <= set(opened)
    assert {r.outcome for r in resolved.values()} == {"upheld", "rejected"}
    assert all(r.resolved_at > opened[d].disputed_at for d, r in resolved.items())
    refunds = {decode(m.value).data.loan_id for m in plan.messages()
               if m.kind == VALID and m.event_type == "loan.payment_received" and "-REFUND" in m.value.decode()}
    upheld = {r.loan_id for r in resolved.values() if r.outcome == "upheld"}
    assert refunds and refunds <= upheld
