"""Local wall-clock windows, and the instants at which local days and windows begin.

Contact hours are wall-clock times in the borrower's own zone, so daylight
saving moves their instants, never their meaning. A wall time that does not
exist on a day (02:30 when clocks spring forward) begins at the first instant
after the gap; a wall time that happens twice (clocks fall back) has two
instants, and a search from a given instant takes the first one not yet past.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class HoursWindow:
    """From `start` (included) to `end` (excluded), on local wall time, the same every day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"a window must start before it ends, not {self.start}-{self.end}")

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        return self.start <= local(instant, zone).time() < self.end

    def next_opening(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """`instant` itself when inside the window, else the next instant the window opens.

        The wall clock usually enters the window at its start, on a day when
        the window is not wholly skipped by clocks springing forward; it can
        also fall back into it (a window ending at 01:30 when 02:00 becomes 01:00).
        """
        if self.contains(instant, zone):
            return instant
        today = local(instant, zone).date()
        openings = (first_at_or_after(instant, today + timedelta(days=n), self.start, zone) for n in range(3))
        opening = next(at for at in openings if at is not None and self.contains(at, zone))
        fall_back = _fall_back_between(instant, opening, zone)
        return fall_back if fall_back is not None and self.contains(fall_back, zone) else opening


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("contact rules need time-zone aware datetimes")
    return instant.astimezone(zone)


def start_of_next_day(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant of the local day after the one `instant` falls on."""
    return start_of_day(local(instant, zone).date() + timedelta(days=1), zone)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of the local calendar day `day`."""
    return min(_instants_at(day, MIDNIGHT, zone))


def first_at_or_after(instant: datetime, day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The first instant, not before `instant`, at which the wall clock on `day` reaches `wall`."""
    return next((at for at in _instants_at(day, wall, zone) if at >= instant), None)


def _instants_at(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    naive = datetime.combine(day, wall)
    candidates = {_resolve(naive, zone, fold) for fold in (0, 1)}
    return sorted(candidates)


def _resolve(naive: datetime, zone: ZoneInfo, fold: int) -> datetime:
    instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    if _wall(instant, zone) == naive:
        return instant
    return _gap_end(naive, zone)


def _gap_end(naive: datetime, zone: ZoneInfo) -> datetime:
    """The instant clocks jump over `naive`: the first whose wall time is at or after it.

    zoneinfo maps a missing wall time to instants on either side of the gap (PEP 495).
    """
    low, high = sorted(naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    return _first_second(low, high, lambda at: _wall(at, zone) >= naive)


def _fall_back_between(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant the clocks are set back between `start` and `end`, if they are."""
    offset = _offset(start, zone)
    if _offset(end, zone) >= offset:
        return None
    return _first_second(start, end, lambda at: _offset(at, zone) < offset)


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # never for a ZoneInfo; says so to the type checker
        raise ValueError(f"no UTC offset in {zone}")
    return offset


def _first_second(low: datetime, high: datetime, reached: Callable[[datetime], bool]) -> datetime:
    """The first whole second after `low` at which `reached` holds, given it holds at `high`.

    Clocks change on whole seconds, so bisection over seconds finds the change exactly.
    """
    low = low.replace(microsecond=0)
    before, after = 0, math.ceil((high - low).total_seconds())
    while after - before > 1:
        middle = (before + after) // 2
        if reached(low + timedelta(seconds=middle)):
            after = middle
        else:
            before = middle
    return low + timedelta(seconds=after)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)
