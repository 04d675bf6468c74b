"""The shapes of dispatch's HTTP requests; anything else is a clear 400."""
from datetime import date, time

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import TimeZoneName
from shared.events.dispatch import NegotiatedTerms, VisitOutcome


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Position(_Request):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class WorkingHours(_Request):
    start: time
    end: time


class CollectorIn(_Request):
    """A roster entry as the supervisor sends it; the domain's `problems()` checks the rest."""

    name: str = Field(min_length=1, max_length=128)
    territory: list[str] = Field(default_factory=list, max_length=200)
    polygon: list[Position] | None = None
    certified_until: date | None = None
    skills: list[str] = Field(default_factory=list, max_length=20)
    daily_capacity: int
    hours: dict[int, WorkingHours] = Field(description="weekday (0 = Monday) to working hours; absent = day off")
    home: Position
    time_zone: TimeZoneName = "Asia/Shanghai"
    active: bool = True


class CheckIn(_Request):
    collector_id: str = Field(min_length=1, max_length=128)
    position: Position


class VisitOutcomeIn(_Request):
    collector_id: str = Field(min_length=1, max_length=128)
    outcome: VisitOutcome
    terms: NegotiatedTerms | None = None
    evidence: list[str] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)


class RouteQuery(_Request):
    date: date


