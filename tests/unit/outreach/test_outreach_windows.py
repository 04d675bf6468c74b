from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.outreach.domain.windows import HoursWindow, start_of_next_day

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYTIME = HoursWindow(time(8), time(21))


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_the_window_includes_its_start_and_excludes_its_end():
    assert DAYTIME.contains(utc(2026, 6, 10, 0, 0), SHANGHAI)  # 08:00 in Shanghai
    assert DAYTIME.contains(utc(2026, 6, 10, 12, 59, 59), SHANGHAI)  # 20:59:59
    assert not DAYTIME.contains(utc(2026, 6, 10, 13, 0), SHANGHAI)  # 21:00
    assert not DAYTIME.contains(utc(2026, 6, 9, 23, 59, 59), SHANGHAI)  # 07:59:59


def test_after_the_window_it_next_opens_the_following_local_morning():
    assert DAYTIME.next_opening(utc(2026, 6, 10, 13, 0), SHANGHAI) == utc(2026, 6, 11, 0, 0)
    assert DAYTIME.next_opening(utc(2026, 6, 9, 22, 0), SHANGHAI) == utc(2026, 6, 10, 0, 0)


def test_inside_the_window_the_next_opening_is_now():
    now = utc(2026, 6, 10, 3, 17)
    assert DAYTIME.next_opening(now, SHANGHAI) == now


def test_the_window_follows_the_wall_clock_when_daylight_saving_starts():
    # 2026-03-08: New York springs forward at 02:00 EST to 03:00 EDT.
    assert DAYTIME.next_opening(utc(2026, 3, 7, 5, 0), NEW_YORK) == utc(2026, 3, 7, 13, 0)  # 08:00 EST
    assert DAYTIME.next_opening(utc(2026, 3, 8, 5, 0), NEW_YORK) == utc(2026, 3, 8, 12, 0)  # 08:00 EDT
    assert DAYTIME.contains(utc(2026, 3, 8, 12, 30), NEW_YORK)
    assert not DAYTIME.contains(utc(2026, 3, 7, 12, 30), NEW_YORK)  # 07:30 EST the day before


def test_the_window_follows_the_wall_clock_when_daylight_saving_ends():
    # 2026-11-01: New York falls back at 02:00 EDT to 01:00 EST; the day has 25 hours.
    assert DAYTIME.next_opening(utc(2026, 11, 1, 4, 0), NEW_YORK) == utc(2026, 11, 1, 13, 0)  # 08:00 EST
    assert DAYTIME.contains(utc(2026, 11, 2, 1, 30), NEW_YORK)  # 20:30 EST
    assert not DAYTIME.contains(utc(2026, 11, 2, 2, 0), NEW_YORK)  # 21:00 EST


def test_a_window_opening_at_a_wall_time_that_does_not_exist_opens_when_the_clocks_jump():
    early = HoursWindow(time(2, 30), time(21))
    opening = early.next_opening(utc(2026, 3, 8, 5, 0), NEW_YORK)  # from 00:00 EST
    assert opening == utc(2026, 3, 8, 7, 0)  # 03:00 EDT, the first instant after 02:30 on the wall
    assert early.contains(opening, NEW_YORK)
    assert not early.contains(utc(2026, 3, 8, 6, 59, 59), NEW_YORK)  # 01:59:59 EST, a second before


def test_a_window_that_clocks_springing_forward_skip_entirely_opens_the_next_day():
    in_the_gap = HoursWindow(time(2), time(2, 45))

    assert in_the_gap.next_opening(utc(2026, 3, 8, 5, 0), NEW_YORK) == utc(2026, 3, 9, 6, 0)  # 02:00 EDT on the 9th


def test_a_wall_time_that_happens_twice_opens_at_the_occurrence_not_yet_past():
    late_night = HoursWindow(time(1, 30), time(21))
    # 00:30 EDT: the first 01:30 (EDT) is next.
    assert late_night.next_opening(utc(2026, 11, 1, 4, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    # 01:10 EST, after the clocks fell back: the second 01:30 (EST) is next, not the one already past.
    assert late_night.next_opening(utc(2026, 11, 1, 6, 10), NEW_YORK) == utc(2026, 11, 1, 6, 30)


@pytest.mark.parametrize("zone, window, instant, reopens", [
    ("America/New_York", HoursWindow(time(0, 30), time(1, 30)), utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 6, 0)),
    ("America/Santiago", HoursWindow(time(0), time(23, 30)), utc(2026, 4, 5, 2, 45), utc(2026, 4, 5, 3, 0)),
])
def test_a_clock_set_back_into_the_window_reopens_it(zone, window, instant, reopens):
    # 01:45 EDT falls back to 01:00 EST; 23:45 in Santiago falls back to 23:00.
    assert not window.contains(instant, ZoneInfo(zone))
    assert window.next_opening(instant, ZoneInfo(zone)) == reopens


@pytest.mark.parametrize("zone, instant, next_midnight", [
    ("Asia/Shanghai", utc(2026, 6, 10, 15, 0), utc(2026, 6, 10, 16, 0)),
    ("America/New_York", utc(2026, 3, 7, 17, 0), utc(2026, 3, 8, 5, 0)),  # into the 23-hour day
    ("America/New_York", utc(2026, 3, 8, 17, 0), utc(2026, 3, 9, 4, 0)),  # after it
    ("America/New_York", utc(2026, 11, 1, 17, 0), utc(2026, 11, 2, 5, 0)),  # after the 25-hour day
    ("America/Sao_Paulo", utc(2018, 11, 3, 15, 0), utc(2018, 11, 4, 3, 0)),  # midnight skipped: day starts 01:00
    ("America/Havana", utc(2026, 10, 31, 15, 0), utc(2026, 11, 1, 4, 0)),  # midnight twice: the first one
])
def test_the_next_local_day_starts_at_its_first_instant(zone, instant, next_midnight):
    assert start_of_next_day(instant, ZoneInfo(zone)) == next_midnight


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"):
        DAYTIME.contains(datetime(2026, 6, 10, 12, 0), SHANGHAI)


def test_a_window_must_start_before_it_ends():
    with pytest.raises(ValueError, match="start before it ends"):
        HoursWindow(time(21), time(8))


# Clock changes at 02:00, at midnight (Havana, Santiago, Beirut) and by half an hour (Lord Howe).
ZONES_AND_CHANGES = [
    ("America/New_York", utc(2026, 3, 8, 7)), ("America/New_York", utc(2026, 11, 1, 6)),
    ("Europe/London", utc(2026, 3, 29, 1)), ("Europe/London", utc(2026, 10, 25, 1)),
    ("America/Havana", utc(2026, 3, 8, 5)), ("America/Havana", utc(2026, 11, 1, 5)),
    ("America/Santiago", utc(2026, 4, 5, 3)), ("America/Santiago", utc(2026, 9, 6, 4)),
    ("Asia/Beirut", utc(2026, 3, 28, 22)), ("Asia/Beirut", utc(2026, 10, 24, 21)),
    ("Australia/Lord_Howe", utc(2026, 4, 4, 15)), ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
    ("Asia/Shanghai", utc(2026, 6, 1)),
]
WINDOW_STARTS = [time(0), time(0, 30), time(1, 30), time(2), time(2, 15), time(2, 30), time(8), time(23)]
WINDOW_ENDS = [time(1, 30), time(2, 45), time(21), time(23, 30)]
near_a_clock_change = st.builds(
    lambda zone_change, seconds: (ZoneInfo(zone_change[0]), zone_change[1] + timedelta(seconds=seconds)),
    st.sampled_from(ZONES_AND_CHANGES), st.integers(-36 * 3600, 36 * 3600))


@settings(max_examples=300, deadline=None)
@given(where=near_a_clock_change, start=st.sampled_from(WINDOW_STARTS), end=st.sampled_from(WINDOW_ENDS))
def test_the_next_opening_is_the_first_instant_inside_the_window(where, start, end):
    zone, instant = where
    assume(start < end)
    window = HoursWindow(start, end)

    opening = window.next_opening(instant, zone)

    assert opening >= instant and window.contains(opening, zone)
    assert opening == instant or not window.contains(opening - timedelta(seconds=1), zone)
    minutes_before = int((opening - instant) / timedelta(minutes=1))
    assert not any(window.contains(instant + timedelta(minutes=m), zone) for m in range(minutes_before))


@settings(max_examples=300, deadline=None)
@given(where=near_a_clock_change)
def test_the_next_day_starts_at_the_first_instant_of_the_next_local_date(where):
    zone, instant = where

    start = start_of_next_day(instant, zone)

    assert start.astimezone(zone).date() == instant.astimezone(zone).date() + timedelta(days=1)
    assert (start - timedelta(seconds=1)).astimezone(zone).date() == instant.astimezone(zone).date()
