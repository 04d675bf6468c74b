"""Collectors as the supervisor keeps them, and what makes a roster entry unusable.

`problems()` lists every fault at once, by field, so the roster API can answer
one clear 4xx instead of making a supervisor fix one field per round trip.
Messages name fields and limits, never a collector's name.
"""
from dataclasses import dataclass
from datetime import date, time
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.dispatch.domain.geo import Point, Territory

Hours = tuple[time, time] | None  # one weekday's working hours on the collector's wall clock; None: day off
WEEK = 7  # hours[0] is Monday, hours[6] Sunday, as date.weekday() counts
MIN_CAPACITY, MAX_CAPACITY = 1, 20


@dataclass(frozen=True)
class Collector:
    collector_id: str
    name: str
    territory: Territory
    certified_until: date | None  # the last day the field certification is valid; None: never certified
    skills: frozenset[str]  # e.g. languages: "zh", "en", "yue"
    daily_capacity: int  # visits a day
    hours: tuple[Hours, ...]  # WEEK entries
    home: Point  # home base, where each day starts and ends
    time_zone: str  # the zone of the collector's own wall clock, which `hours` are in
    active: bool = True

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def problems(collector: Collector, max_capacity: int = MAX_CAPACITY) -> list[str]:
    """Everything wrong with a roster entry; empty when it can be dispatched (certification aside)."""
    return [*_identity(collector), *_territory(collector), *_hours(collector),
            *_capacity(collector, max_capacity), *_places(collector)]


def _identity(c: Collector) -> list[str]:
    found = [f"{field}: must not be blank" for field in ("collector_id", "name") if not getattr(c, field).strip()]
    if any(not skill.strip() for skill in c.skills):
        found.append("skills: a skill must not be blank")
    try:
        ZoneInfo(c.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append("time_zone: not a known IANA time zone name")
    return found


def _territory(c: Collector) -> list[str]:
    t = c.territory
    found = ["territory: needs at least one area code or a polygon"] if t.empty else []
    found += [f"territory: area code {area!r} is not 'city' or 'city/district'"
              for area in sorted(t.areas) if not _well_formed(area)]
    if t.polygon and len(t.polygon) < 3:
        found.append("territory: a polygon needs at least 3 points")
    return found


def _well_formed(area: str) -> bool:
    parts = area.split("/")
    return len(parts) <= 2 and all(part.strip() == part and part for part in parts)


def _hours(c: Collector) -> list[str]:
    if len(c.hours) != WEEK:
        return [f"hours: needs one entry per weekday (7), not {len(c.hours)}"]
    found = [f"hours: weekday {day} must start before it ends" for day, span in enumerate(c.hours)
             if span is not None and not span[0] < span[1]]
    if all(span is None for span in c.hours):
        found.append("hours: works no day of the week (deactivate the collector instead)")
    return found


def _capacity(c: Collector, max_capacity: int) -> list[str]:
    if MIN_CAPACITY <= c.daily_capacity <= max_capacity:
        return []
    return [f"daily_capacity: must be between {MIN_CAPACITY} and {max_capacity}, not {c.daily_capacity}"]


def _places(c: Collector) -> list[str]:
    found = [] if _on_earth(c.home) else ["home: latitude must be within ±90 and longitude within ±180"]
    if any(not _on_earth(p) for p in c.territory.polygon):
        found.append("territory: a polygon point is off the map (latitude ±90, longitude ±180)")
    return found


def _on_earth(p: Point) -> bool:
    return -90 <= p.lat <= 90 and -180 <= p.lon <= 180
