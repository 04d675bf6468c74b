"""Calendar arithmetic for monthly instalments and business-day instants."""
import calendar
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def add_months(anchor: date, months: int) -> date:
    """`anchor` moved by `months`, keeping its day of month clamped to the target month's length.

    Always computed from the anchor (never chained), so Jan 31 -> Feb 29 -> Mar 31.
    """
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def monthly_due_dates(originated_on: date, count: int, first: int = 1) -> list[date]:
    """Due dates `first`..`first + count - 1` months after origination."""
    return [add_months(originated_on, months) for months in range(first, first + count)]


def at_time_of_day(day: date, zone: ZoneInfo, seconds: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone) + timedelta(seconds=seconds)


def random_instant(
    rng: random.Random, day: date, zone: ZoneInfo, earliest: str = "07:00", latest: str = "23:59",
) -> datetime:
    """A whole-second instant on `day` (in `zone`) between two HH:MM wall-clock times."""
    low, high = (_seconds(value) for value in (earliest, latest))
    return at_time_of_day(day, zone, rng.randint(low, high))


def _seconds(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 3600 + int(minutes) * 60
