"""Wall-clock hours read as instants, and the overlap of such spans.

Everything here is returned in UTC: Python subtracts two aware datetimes that
share a tzinfo by their wall clocks, which is wrong across a daylight-saving
change, while UTC arithmetic is exact. A wall time inside a spring-forward gap
resolves as PEP 495's fold=0 does (shifted forward by the gap).
"""
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]  # [start, end), UTC


def utc_span(start: datetime, end: datetime) -> Span:
    return start.astimezone(UTC), end.astimezone(UTC)


def instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def daily_spans(span: Span, zone: ZoneInfo, hours_on: Callable[[date], tuple[time, time] | None]) -> list[Span]:
    """The daily hours, on `zone`'s wall clock, of every local day `span` touches (usually one, at most a few)."""
    first, last = (moment.astimezone(zone).date() for moment in span)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(instant(day, hours[0], zone), instant(day, hours[1], zone))
            for day in days if (hours := hours_on(day)) is not None]


def overlap(spans: list[Span], others: list[Span]) -> list[Span]:
    """The parts of time in both lists, in order."""
    found = [(max(a, c), min(b, d)) for a, b in spans for c, d in others]
    return sorted(part for part in found if part[0] < part[1])


def first_long_enough(spans: list[Span], length: timedelta) -> Span | None:
    return next((span for span in spans if span[1] - span[0] >= length), None)
