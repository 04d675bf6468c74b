"""The simulator's chaos: malformed messages fail as promised, duplicates are exact copies."""
from datetime import date

import pytest

from shared.events.codec import DecodeError, decode
from simulator.book import BookConfig, build_book
from simulator.chaos import ChaosRates
from simulator.messages import DUPLICATE, MALFORMED, VALID
from simulator.script import build_plan

CHAOS = ChaosRates(duplicate_rate=0.05, out_of_order_rate=0.05, malformed_rate=0.05)


@pytest.fixture(scope="module")
def plan():
    return build_plan(build_book(BookConfig(seed=9, customers=120, start_date=date(2028, 1, 1), days=60)), chaos=CHAOS)


def test_every_malformed_message_fails_with_its_announced_reason(plan):
    malformed = [m for m in plan.messages() if m.kind == MALFORMED]
    assert len(malformed) == plan.counts.malformed > 10
    for message in malformed:
        with pytest.raises(DecodeError) as failure:
            decode(message.value)
        assert failure.value.reason == message.reason
        assert message.event_id not in plan.valid_event_ids


def test_duplicates_repeat_the_exact_bytes_of_an_earlier_message_that_day(plan):
    seen = 0
    for day in plan.days:
        for index, message in enumerate(day.messages):
            if message.kind == DUPLICATE:
                earlier = [m for m in day.messages[:index] if m.kind == VALID]
                assert any(m.value == message.value and m.key == message.key and m.topic == message.topic
                           for m in earlier)
                seen += 1
    assert seen == plan.counts.duplicates > 10


def test_clock_ticks_are_never_duplicated_or_broken(plan):
    for day in plan.days:
        assert sum(m.key == b"clock" for m in day.messages) == 1


def test_zero_rates_mean_a_clean_plan():
    clean = build_plan(build_book(BookConfig(seed=9, customers=50, days=30)), chaos=ChaosRates(0, 0, 0))
    assert clean.counts.duplicates == clean.counts.malformed == clean.counts.out_of_order == 0
    assert all(m.kind == VALID for m in clean.messages())
