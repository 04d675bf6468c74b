"""A visit as outreach asked for it: a borrower, a place, and a window confirmed with them beforehand."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from services.dispatch.domain.geo import Point

NOT_BEGUN = frozenset({"assigned", "unassignable"})  # no team has started it: it can be re-planned or cancelled


@dataclass(frozen=True)
class VisitRequest:
    visit_id: str
    case_id: str
    customer_id: str
    area: str  # "city/district", or "city" when the district is not known
    location: Point | None  # None when the address has no coordinates: covered by area code only
    time_zone: str  # the borrower's, in which the 08:00-21:00 rule is read
    window_start: datetime
    window_end: datetime
    required_skills: frozenset[str] = frozenset()
    collectors_needed: int = 2  # collectors go in pairs by default, for their safety and as witnesses

    def __post_init__(self) -> None:
        for instant in (self.window_start, self.window_end):
            if instant.tzinfo is None or instant.utcoffset() is None:
                raise ValueError("a visit window must be time-zone aware")
        if not self.window_start < self.window_end:
            raise ValueError("a visit window must start before it ends")
        if self.collectors_needed < 1:
            raise ValueError("a visit needs at least one collector")
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not in the middle of a day's plan

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def local_date(self) -> date:
        """The visit's day: the borrower's date when the confirmed window opens."""
        return self.window_start.astimezone(self.zone).date()

    @property
    def day_bounds(self) -> tuple[datetime, datetime]:
        """The borrower's calendar day of the visit, as instants: whose loads and stops count."""
        start = datetime.combine(self.local_date, time(), self.zone)
        return start, start + timedelta(days=1)
