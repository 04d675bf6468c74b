from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.dispatch.domain.eligibility import service_slot, why_not
from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = date(2026, 3, 10)
EVERY_DAY_7_TO_23 = ((time(7), time(23)),) * 7
ZHANG = Collector("c-zhang", "Zhang Wei", Territory(frozenset({"shanghai"})), date(2026, 12, 31),
                  frozenset({"zh"}), 10, EVERY_DAY_7_TO_23, Point(31.23, 121.47), "Asia/Shanghai")


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def visit(start: datetime | None = None, end: datetime | None = None, **changes) -> VisitRequest:
    start = start or local(TUESDAY, 10)
    fields = dict(visit_id="v-1", case_id="case-1", customer_id="cust-1", area="shanghai/pudong",
                  location=Point(31.24, 121.50), time_zone="Asia/Shanghai", window_start=start,
                  window_end=end or start + timedelta(hours=2))
    return VisitRequest(**(fields | changes))


def test_an_eligible_collector_has_no_reason():
    assert why_not(ZHANG, visit(), day_load=0) is None


@pytest.mark.parametrize("until, reason", [
    (TUESDAY, None),  # expiring on the visit day: still certified that day
    (TUESDAY + timedelta(days=1), None),
    (TUESDAY - timedelta(days=1), "not_certified"),
    (None, "not_certified"),  # never certified
])
def test_certification_must_cover_the_visit_day(until, reason):
    assert why_not(replace(ZHANG, certified_until=until), visit(), 0) == reason


def test_the_visit_day_is_the_borrowers_local_date_not_the_utc_date():
    los_angeles = ZoneInfo("America/Los_Angeles")
    evening = visit(local(TUESDAY, 18, zone=los_angeles), time_zone="America/Los_Angeles")  # Wed 01:00 UTC
    collector = replace(ZHANG, time_zone="America/Los_Angeles", certified_until=TUESDAY)
    assert evening.window_start.astimezone(UTC).date() == TUESDAY + timedelta(days=1)
    assert why_not(collector, evening, 0) is None
    assert why_not(replace(collector, certified_until=TUESDAY - timedelta(days=1)), evening, 0) == "not_certified"


@pytest.mark.parametrize("areas, polygon, reason", [
    ({"shanghai"}, (), None),  # the whole city
    ({"shanghai/pudong"}, (), None),  # the visit's district
    ({"shanghai/xuhui", "suzhou"}, (), "outside_territory"),
    ((), (Point(31.2, 121.45), Point(31.2, 121.55), Point(31.3, 121.55), Point(31.3, 121.45)), None),
    ((), (Point(31.0, 121.0), Point(31.0, 121.1), Point(31.1, 121.1)), "outside_territory"),
])
def test_the_visit_must_be_in_the_collectors_territory(areas, polygon, reason):
    territory = Territory(frozenset(areas), polygon)
    assert why_not(replace(ZHANG, territory=territory), visit(), 0) == reason


def test_every_required_skill_is_needed():
    cantonese = visit(required_skills=frozenset({"yue"}))
    assert why_not(ZHANG, cantonese, 0) == "missing_skill"
    assert why_not(replace(ZHANG, skills=frozenset({"zh", "yue"})), cantonese, 0) is None
    assert why_not(replace(ZHANG, skills=frozenset({"yue"})), visit(required_skills=frozenset({"yue", "en"})),
                   0) == "missing_skill"


@pytest.mark.parametrize("start, end, reason", [
    ((7, 0), (9, 0), None),  # 08:00-09:00 is inside 08-21: an hour, enough for 45 minutes
    ((7, 0), (8, 44), "outside_working_hours"),  # only 44 minutes after 08:00
    ((7, 0), (8, 45), None),  # exactly a visit's length
    ((20, 15), (22, 0), None),  # 20:15-21:00
    ((20, 16), (22, 0), "outside_working_hours"),  # 44 minutes before 21:00
    ((21, 0), (22, 30), "outside_working_hours"),  # wholly after 21:00, though the collector works till 23:00
])
def test_visits_happen_only_between_08_and_21_borrower_local_time(start, end, reason):
    window = visit(local(TUESDAY, *start), local(TUESDAY, *end))
    assert why_not(ZHANG, window, 0) == reason


def test_the_window_must_overlap_the_collectors_hours_that_weekday_by_a_visit_length():
    nine_to_five = replace(ZHANG, hours=((time(9), time(17)),) * 5 + (None, None))
    assert why_not(nine_to_five, visit(local(TUESDAY, 16, 16), local(TUESDAY, 18)), 0) == "outside_working_hours"
    assert why_not(nine_to_five, visit(local(TUESDAY, 16, 15), local(TUESDAY, 18)), 0) is None  # 16:15-17:00
    assert why_not(nine_to_five, visit(local(TUESDAY, 17), local(TUESDAY, 19)), 0) == "outside_working_hours"
    sunday = TUESDAY + timedelta(days=5)
    assert why_not(replace(nine_to_five, certified_until=None), visit(local(sunday, 10)), 0) == "not_certified"
    assert why_not(nine_to_five, visit(local(sunday, 10)), 0) == "outside_working_hours"  # day off


def test_a_collector_in_another_zone_works_on_their_own_wall_clock():
    # Urumqi is UTC+6, Shanghai UTC+8: 09:00-18:00 in Urumqi is 11:00-20:00 in Shanghai.
    urumqi = replace(ZHANG, time_zone="Asia/Urumqi", hours=((time(9), time(18)),) * 7)
    assert why_not(urumqi, visit(local(TUESDAY, 9), local(TUESDAY, 11)), 0) == "outside_working_hours"
    assert why_not(urumqi, visit(local(TUESDAY, 19), local(TUESDAY, 21)), 0) is None
    assert service_slot(urumqi, visit(local(TUESDAY, 19), local(TUESDAY, 21))) == (
        local(TUESDAY, 19), local(TUESDAY, 20))
    shanghai_hours = replace(urumqi, time_zone="Asia/Shanghai")
    assert why_not(shanghai_hours, visit(local(TUESDAY, 9), local(TUESDAY, 11)), 0) is None
    assert why_not(shanghai_hours, visit(local(TUESDAY, 19), local(TUESDAY, 21)), 0) == "outside_working_hours"


def test_the_08_to_21_bound_follows_the_borrowers_clock_across_daylight_saving():
    new_york = ZoneInfo("America/New_York")
    spring_forward = date(2026, 3, 8)  # 02:00 EST becomes 03:00 EDT
    early = visit(local(spring_forward, 7, zone=new_york), local(spring_forward, 9, zone=new_york),
                  time_zone="America/New_York", area="nyc/queens", location=None)
    collector = replace(ZHANG, territory=Territory(frozenset({"nyc"})), time_zone="America/New_York")
    assert service_slot(collector, early) == (datetime(2026, 3, 8, 12, tzinfo=UTC),  # 08:00 EDT
                                              datetime(2026, 3, 8, 13, tzinfo=UTC))


def test_the_visit_length_is_configurable():
    short = visit(local(TUESDAY, 7), local(TUESDAY, 8, 30))
    assert why_not(ZHANG, short, 0) == "outside_working_hours"
    assert why_not(ZHANG, short, 0, DispatchPolicy(visit_minutes=30)) is None


def test_a_collector_at_capacity_is_not_sent():
    assert why_not(replace(ZHANG, daily_capacity=3), visit(), day_load=2) is None
    assert why_not(replace(ZHANG, daily_capacity=3), visit(), day_load=3) == "at_capacity"


def test_an_inactive_collector_is_not_sent_and_that_is_the_reason_whatever_else_is_wrong():
    assert why_not(replace(ZHANG, active=False), visit(), 0) == "inactive"
    assert why_not(replace(ZHANG, active=False, certified_until=None), visit(), day_load=99) == "inactive"
    assert why_not(replace(ZHANG, certified_until=None, territory=Territory(frozenset({"suzhou"}))),
                   visit(), 0) == "not_certified"


def eligible(collectors, visit, loads):
    """Those `why_not` finds no reason against, each with their own load (as assignment asks)."""
    return [c for c in collectors if why_not(c, visit, loads.get(c.collector_id, 0)) is None]


def test_eligible_keeps_only_those_without_a_reason_using_each_ones_load():
    li = replace(ZHANG, collector_id="c-li", daily_capacity=2)
    chen = replace(ZHANG, collector_id="c-chen", certified_until=None)
    assert eligible([ZHANG, li, chen], visit(), {"c-li": 2}) == [ZHANG]
    assert eligible([ZHANG, li, chen], visit(), {}) == [ZHANG, li]
