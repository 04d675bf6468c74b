from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.dispatch.domain.geo import Point, distance_km
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.routing import Stop, improve, nearest_first, plan_route, schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME = Point(31.20, 121.45)
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=SHANGHAI)


def km_east(km: float) -> Point:
    return Point(HOME.lat, HOME.lon + km / 95.2)  # a degree of longitude is about 95 km at this latitude


def stop(vid: str, where: Point, start: datetime, hours: float = 2) -> Stop:
    return Stop(vid, where, start, start + timedelta(hours=hours))


def test_a_route_goes_out_and_comes_back_home():
    route = plan_route(HOME, [stop("v", km_east(5), at(10))])
    assert route.total_km == pytest.approx(2 * distance_km(HOME, km_east(5)))
    assert route.stops[0].arrival == at(10)  # leaving home in time for the first window


def test_an_earlier_window_comes_first_even_when_it_is_farther():
    near_late, far_early = stop("near", km_east(1), at(15)), stop("far", km_east(8), at(9))
    route = plan_route(HOME, [near_late, far_early])
    assert [p.stop.visit_id for p in route.stops] == ["far", "near"]
    assert route.late == ()


def test_arrival_waits_for_the_window_and_adds_travel_at_the_configured_speed():
    first, second = stop("a", km_east(1), at(9)), stop("b", km_east(11), at(9), hours=4)
    route = schedule(HOME, [first, second])
    travel = distance_km(km_east(1), km_east(11)) / 25 * 60  # minutes at 25 km/h
    assert route.stops[1].arrival == pytest.approx(at(9, 45) + timedelta(minutes=travel), abs=timedelta(seconds=1))
    slow = schedule(HOME, [first, second], DispatchPolicy(speed_kmh=10))
    assert slow.stops[1].arrival > route.stops[1].arrival


def test_a_stop_that_cannot_begin_in_time_is_listed_late_and_not_done():
    # Leaving at 10:00, 20 km at 25 km/h arrives 10:48: after 10:15, the last start for a window ending 11:00.
    route = plan_route(HOME, [stop("far", km_east(20), at(9)), stop("near", km_east(1), at(10))], leave_at=at(10))
    assert [s.visit_id for s in route.late] == ["far"]
    assert [p.stop.visit_id for p in route.stops] == ["near"]
    assert route.total_km == pytest.approx(2 * distance_km(HOME, km_east(1)))


def test_two_opt_uncrosses_a_crossing_day():
    corners = [Point(31.20, 121.50), Point(31.25, 121.55), Point(31.20, 121.55), Point(31.25, 121.50)]
    crossing = [stop(f"v{n}", p, at(9), hours=10) for n, p in enumerate(corners)]
    before, after = schedule(HOME, crossing), schedule(HOME, improve(HOME, crossing))
    assert after.total_km < before.total_km - 1
    assert after.late == ()


def test_the_order_assigned_is_kept_when_nearest_neighbour_would_do_worse():
    # Nearest neighbour in time takes the 09:00 stop next door, and then cannot make the far 09:00-10:00 one.
    far_tight = Stop("far", km_east(10), at(9), at(10, 10))
    near = stop("near", km_east(0.5), at(9), hours=4)
    assert [s.visit_id for s in plan_route(HOME, [far_tight, near]).late] == ["far"]
    route = plan_route(HOME, [far_tight, near], initial=[far_tight, near])
    assert route.late == () and [p.stop.visit_id for p in route.stops] == ["far", "near"]


MINUTES = st.integers(min_value=8 * 60, max_value=19 * 60)
STOPS = st.lists(st.tuples(st.floats(-0.08, 0.08), st.floats(-0.08, 0.08), MINUTES, st.integers(60, 240)),
                 min_size=1, max_size=9)


def _stops(raw) -> list[Stop]:
    return [Stop(f"v{n}", Point(HOME.lat + dlat, HOME.lon + dlon), at(0) + timedelta(minutes=m),
                 at(0) + timedelta(minutes=m + length)) for n, (dlat, dlon, m, length) in enumerate(raw)]


@settings(max_examples=200, deadline=None)
@given(STOPS)
def test_a_route_holds_every_stop_exactly_once(raw):
    stops = _stops(raw)
    route = plan_route(HOME, stops)
    assert sorted([*(p.stop.visit_id for p in route.stops), *(s.visit_id for s in route.late)]) == sorted(
        s.visit_id for s in stops)


@settings(max_examples=200, deadline=None)
@given(STOPS)
def test_when_nearest_neighbour_finds_a_feasible_order_every_arrival_is_in_its_window(raw):
    stops = _stops(raw)
    route = plan_route(HOME, stops)
    if schedule(HOME, nearest_first(HOME, stops)).late == ():
        assert route.late == ()
    for planned in route.stops:
        assert planned.stop.window_start <= planned.arrival <= planned.stop.window_end - DEFAULT.duration


@settings(max_examples=200, deadline=None)
@given(STOPS)
def test_two_opt_never_lengthens_a_day_nor_makes_a_stop_late(raw):
    stops = _stops(raw)
    before = schedule(HOME, stops)
    after = schedule(HOME, improve(HOME, stops))
    assert after.total_km <= before.total_km + 1e-9
    assert {s.visit_id for s in after.late} <= {s.visit_id for s in before.late}
    assert sorted(s.visit_id for s in improve(HOME, stops)) == sorted(s.visit_id for s in stops)
