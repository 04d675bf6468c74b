from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.overdue.domain.calendar import business_date, closed_dates

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_payment_belongs_to_the_business_date_of_the_portfolio_zone():
    assert business_date(utc(2026, 3, 1, 15, 59, 59), SHANGHAI) == date(2026, 3, 1)
    assert business_date(utc(2026, 3, 1, 16, 0, 0), SHANGHAI) == date(2026, 3, 2)


def test_the_same_instant_can_be_another_date_in_another_zone():
    assert business_date(utc(2026, 3, 1, 16, 0, 0), ZoneInfo("America/New_York")) == date(2026, 3, 1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        business_date(datetime(2026, 3, 1, 12, 0), SHANGHAI)


def test_with_nothing_closed_yet_only_yesterday_closes():
    assert closed_dates(None, utc(2026, 3, 1, 16, 0, 0), SHANGHAI) == [date(2026, 3, 1)]


def test_midnight_in_the_portfolio_zone_closes_the_day_that_just_ended():
    last_closed = date(2026, 2, 28)

    assert closed_dates(last_closed, utc(2026, 3, 1, 15, 59, 59), SHANGHAI) == []
    assert closed_dates(last_closed, utc(2026, 3, 1, 16, 0, 0), SHANGHAI) == [date(2026, 3, 1)]


def test_every_skipped_day_is_closed_in_order():
    now = utc(2026, 3, 5, 2, 0, 0)  # 10:00 on 2026-03-05 in Shanghai

    assert closed_dates(date(2026, 2, 27), now, SHANGHAI) == [
        date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4),
    ]


def test_a_tick_going_backwards_closes_nothing():
    assert closed_dates(date(2026, 3, 10), utc(2026, 3, 5, 2, 0, 0), SHANGHAI) == []


def test_closing_each_tick_covers_every_day_exactly_once():
    last_closed, closed = date(2026, 2, 25), []
    now = utc(2026, 2, 26, 0, 0)
    for _ in range(24 * 10):
        newly = closed_dates(last_closed, now, SHANGHAI)
        closed += newly
        last_closed = newly[-1] if newly else last_closed
        now += timedelta(hours=1, minutes=7)

    assert closed == [date(2026, 2, 26) + timedelta(days=n) for n in range(len(closed))]
    assert len(closed) == 11
