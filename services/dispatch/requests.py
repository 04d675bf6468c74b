"""The shapes of dispatch's HTTP requests; anything else is a clear 400."""
from datetime import date, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import WEEK, Collector
from shared.events.base import TimeZoneName
from shared.events.dispatch import MAX_EVIDENCE, EvidenceRef, NegotiatedTerms, VisitOutcome
from shared.web import NO_NUL, Id


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

    name: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    territory: list[Annotated[str, Field(max_length=256, pattern=NO_NUL)]] = Field(default_factory=list,
                                                                                   max_length=200)
    polygon: list[Position] | None = None
    certified_until: date | None = None
    skills: list[Annotated[str, Field(max_length=64, pattern=NO_NUL)]] = Field(default_factory=list, max_length=20)
    daily_capacity: int
    hours: dict[int, WorkingHours] = Field(description="weekday (0 = Monday) to working hours; absent = day off")
    home: Position
    time_zone: TimeZoneName = "Asia/Shanghai"
    active: bool = True

    def collector(self, collector_id: str) -> Collector:
        """The entry as the domain's collector, under the id the supervisor gave or the service made up."""
        polygon = tuple(Point(p.latitude, p.longitude) for p in self.polygon or ())
        return Collector(
            collector_id=collector_id, name=self.name, territory=Territory(frozenset(self.territory), polygon),
            certified_until=self.certified_until, skills=frozenset(self.skills), daily_capacity=self.daily_capacity,
            hours=tuple((h.start, h.end) if (h := self.hours.get(day)) is not None else None for day in range(WEEK)),
            home=Point(self.home.latitude, self.home.longitude), time_zone=self.time_zone, active=self.active,
        )


class CheckIn(_Request):
    collector_id: Id  # a collector's token speaks only for its own collector
    position: Position


class VisitOutcomeIn(_Request):
    collector_id: Id
    outcome: VisitOutcome
    terms: NegotiatedTerms | None = None
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=MAX_EVIDENCE)  # as VisitCompleted's
    notes: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


