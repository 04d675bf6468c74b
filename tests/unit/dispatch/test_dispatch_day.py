from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.dispatch_day import plan_day
from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=SHANGHAI)


def test_a_planned_day_routes_each_member_within_the_teams_slot():
    roster = [Collector(cid, cid, Territory(frozenset({"shanghai"})), DAY, frozenset(), 8, (hours,) * 7,
                        Point(31.2, 121.45 + n / 100), "Asia/Shanghai")
              for n, (cid, hours) in enumerate([("c-early", (time(8), time(15))), ("c-late", (time(10), time(20)))])]
    visits = [VisitRequest(f"v-{h}", "k", "p", "shanghai/pudong", Point(31.22, 121.5 + h / 200), "Asia/Shanghai",
                           at(h), at(h) + timedelta(hours=2)) for h in (9, 11, 13, 18)]
    day = plan_day(visits, roster)
    assert [a.visit.visit_id for a in day.assignments] == ["v-9", "v-11", "v-13"]
    assert [(u.visit.visit_id, u.reason) for u in day.unassignables] == [("v-18", "not_enough_collectors")]
    nine = day.assignments[0]
    assert nine.slot == (at(10), at(11)) and nine.starts_at == at(10)  # c-late starts at 10:00
    for route in day.routes.values():
        assert [p.stop.visit_id for p in route.stops] == ["v-9", "v-11", "v-13"]
        assert route.stops[0].arrival == at(10)
        assert route.late == ()
        assert all(p.stop.window_start <= p.arrival <= p.stop.window_end - timedelta(minutes=45)
                   for p in route.stops)
