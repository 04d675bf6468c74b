from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.dispatch.domain.cancellation import is_no_show, reassign_reason
from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

END = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize("checked_in_at, now, no_show", [
    (None, END - timedelta(seconds=1), False),  # the window is not over yet
    (None, END, True),
    (None, END + timedelta(hours=3), True),
    (END - timedelta(minutes=50), END + timedelta(hours=1), False),
    (END, END + timedelta(hours=1), True),  # checking in at the window's end is outside it
    (END + timedelta(minutes=5), END + timedelta(hours=1), True),
])
def test_a_no_show_is_no_check_in_inside_the_window_once_it_is_over(checked_in_at, now, no_show):
    assert is_no_show(END, checked_in_at, now) is no_show


def test_no_show_rules_refuse_naive_times():
    with pytest.raises(ValueError):
        is_no_show(END, None, datetime(2026, 3, 10, 5))


def test_a_collector_deactivated_or_losing_certification_gives_up_future_visits_but_not_for_load():
    collector = Collector("c", "n", Territory(frozenset({"shanghai"})), date(2026, 12, 31), frozenset(), 1,
                          ((time(8), time(20)),) * 7, Point(31.2, 121.4), "Asia/Shanghai")
    visit = VisitRequest("v", "k", "p", "shanghai/pudong", None, "Asia/Shanghai", END - timedelta(hours=2), END)
    assert reassign_reason(collector, visit) is None  # its one visit of capacity 1 is this one
    assert reassign_reason(replace(collector, active=False), visit) == "inactive"
    assert reassign_reason(replace(collector, certified_until=date(2026, 3, 9)), visit) == "not_certified"
