from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfoNotFoundError

import pytest

from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import Collector, problems
from services.dispatch.domain.visits import VisitRequest

NINE_TO_SIX = (time(9), time(18))
VALID = Collector("c-1", "Wang Fang", Territory(frozenset({"shanghai/pudong", "suzhou"})), date(2026, 12, 31),
                  frozenset({"zh", "en"}), 10, (NINE_TO_SIX,) * 5 + (None, None), Point(31.23, 121.47),
                  "Asia/Shanghai")


def test_a_valid_collector_has_no_problems():
    assert problems(VALID) == []
    assert problems(replace(VALID, certified_until=None)) == []  # a trainee may be on the roster


@pytest.mark.parametrize("capacity, ok", [(0, False), (1, True), (20, True), (21, False)])
def test_daily_capacity_is_between_1_and_20(capacity, ok):
    found = problems(replace(VALID, daily_capacity=capacity))
    assert (found == []) == ok
    assert ok or found == [f"daily_capacity: must be between 1 and 20, not {capacity}"]


def test_the_capacity_limit_is_configurable():
    assert problems(replace(VALID, daily_capacity=25), max_capacity=30) == []


def test_working_hours_must_start_before_they_end():
    hours = (NINE_TO_SIX, (time(18), time(9)), (time(9), time(9))) + (None,) * 4
    assert problems(replace(VALID, hours=hours)) == [
        "hours: weekday 1 must start before it ends", "hours: weekday 2 must start before it ends"]


def test_hours_need_seven_weekdays_and_at_least_one_working_day():
    assert problems(replace(VALID, hours=(NINE_TO_SIX,) * 5)) == ["hours: needs one entry per weekday (7), not 5"]
    assert problems(replace(VALID, hours=(None,) * 7)) == [
        "hours: works no day of the week (deactivate the collector instead)"]


def test_a_territory_must_not_be_empty_and_its_codes_well_formed():
    assert problems(replace(VALID, territory=Territory())) == ["territory: needs at least one area code or a polygon"]
    bad = Territory(frozenset({"shanghai/", "a/b/c", " suzhou"}))
    assert len(problems(replace(VALID, territory=bad))) == 3
    assert problems(replace(VALID, territory=Territory(polygon=(Point(1, 1), Point(1, 2))))) == [
        "territory: a polygon needs at least 3 points"]


def test_places_must_be_on_the_map():
    assert problems(replace(VALID, home=Point(91, 0))) == [
        "home: latitude must be within ±90 and longitude within ±180"]


def test_every_problem_is_reported_at_once():
    broken = replace(VALID, collector_id=" ", time_zone="Mars/Olympus", daily_capacity=0, territory=Territory())
    assert [p.split(":")[0] for p in problems(broken)] == ["collector_id", "time_zone", "territory", "daily_capacity"]


def test_a_problem_never_repeats_the_collectors_name():
    broken = replace(VALID, name="Wang Fang", time_zone="nowhere", daily_capacity=99)
    assert not any("Wang" in p for p in problems(broken))


def _visit(**changes) -> VisitRequest:
    fields = dict(visit_id="v", case_id="k", customer_id="p", area="shanghai", location=None,
                  time_zone="Asia/Shanghai", window_start=datetime(2026, 3, 10, 2, tzinfo=UTC),
                  window_end=datetime(2026, 3, 10, 4, tzinfo=UTC))
    return VisitRequest(**(fields | changes))


def test_a_visit_request_needs_an_aware_window_that_starts_before_it_ends():
    assert _visit().collectors_needed == 2  # the two-person rule is the default
    with pytest.raises(ValueError):
        _visit(window_start=datetime(2026, 3, 10, 2))
    with pytest.raises(ValueError):
        _visit(window_end=datetime(2026, 3, 10, 2, tzinfo=UTC))
    with pytest.raises(ValueError):
        _visit(collectors_needed=0)
    with pytest.raises(ZoneInfoNotFoundError):
        _visit(time_zone="Mars/Olympus")
