from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.dispatch.domain.geo import Point
from services.dispatch.domain.plan import Booking, Progress, day_so_far
from services.dispatch.domain.policy import DispatchPolicy
from services.dispatch.domain.visits import VisitRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
MORNING_DOOR, EVENING_DOOR = Point(31.20, 121.44), Point(31.30, 121.50)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=SHANGHAI)


def visit(start: datetime) -> VisitRequest:
    return VisitRequest("v-new", "case", "cust", "shanghai/xuhui", Point(31.19, 121.44), "Asia/Shanghai", start,
                        start + timedelta(hours=2))


def test_the_day_so_far_counts_every_visit_but_starts_from_the_last_one_over_before_the_window():
    bookings = [Booking("c-a", "v-morning", MORNING_DOOR, at(9), at(9, 30)),
                Booking("c-a", "v-evening", EVENING_DOOR, at(18), None),  # booked earlier, for a later hour
                Booking("c-b", "v-evening", EVENING_DOOR, at(18), None)]
    plan = day_so_far(bookings, visit(at(14)))
    assert plan.of("c-a") == Progress(load=2, at=MORNING_DOOR, free_at=at(10, 15))  # 09:30 plus 45 minutes
    assert plan.of("c-b") == Progress(load=1, at=None, free_at=None)  # still at home, free until the evening
    assert plan.of("c-idle") == Progress()


def test_the_visit_being_planned_is_not_part_of_its_own_day_and_a_longer_visit_ends_later():
    own = Booking("c-a", "v-new", MORNING_DOOR, at(14), at(14))
    assert day_so_far([own], visit(at(14))).of("c-a") == Progress()
    morning = Booking("c-a", "v-morning", None, at(9), None)  # no coordinates: the position stays home
    plan = day_so_far([morning], visit(at(14)), DispatchPolicy(visit_minutes=90))
    assert plan.of("c-a") == Progress(load=1, at=None, free_at=at(10, 30))
