"""A change of preferences is always later than the one before it, even within one tick."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.outreach.domain.model import change_time

NOW = datetime(2026, 2, 7, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_change_is_in_force_from_the_service_time_when_the_clock_moved_since_the_last():
    assert change_time(NOW, None) == NOW
    assert change_time(NOW, NOW - timedelta(minutes=1)) == NOW


def test_within_one_tick_each_change_is_a_microsecond_after_the_one_before():
    assert change_time(NOW, NOW) == NOW + timedelta(microseconds=1)
    assert change_time(NOW, NOW + timedelta(microseconds=1)) == NOW + timedelta(microseconds=2)
