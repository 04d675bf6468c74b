"""Which collectors might cover a visit, found without asking every collector on the roster.

Only a time saver: `assign` gives the same team from the whole roster. A
collector is filed under every city its area codes touch and, for a polygon,
under every grid cell the polygon's bounds touch; a visit looks in its city
and in the cell of its coordinates.
"""
import math
from dataclasses import dataclass, field
from typing import Sequence

from services.dispatch.domain.geo import Point, city_of
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

CELL_DEGREES = 0.25  # about 28 km north-south: a few cells for a city-scale polygon


@dataclass(frozen=True)
class RosterIndex:
    by_city: dict[str, list[Collector]] = field(default_factory=dict)
    by_cell: dict[tuple[int, int], list[Collector]] = field(default_factory=dict)

    def candidates(self, visit: VisitRequest) -> list[Collector]:
        in_city = self.by_city.get(city_of(visit.area), [])
        in_cell = self.by_cell.get(_cell(visit.location), []) if visit.location is not None else []
        if not in_cell:
            return in_city
        seen = {c.collector_id for c in in_city}
        return in_city + [c for c in in_cell if c.collector_id not in seen]


def index(collectors: Sequence[Collector]) -> RosterIndex:
    by_city: dict[str, list[Collector]] = {}
    by_cell: dict[tuple[int, int], list[Collector]] = {}
    for collector in collectors:
        for city in sorted(collector.territory.cities):
            by_city.setdefault(city, []).append(collector)
        if len(collector.territory.polygon) >= 3:
            for cell in _cells(*collector.territory.bounds):
                by_cell.setdefault(cell, []).append(collector)
    return RosterIndex(by_city, by_cell)


def _cell(point: Point) -> tuple[int, int]:
    return math.floor(point.lat / CELL_DEGREES), math.floor(point.lon / CELL_DEGREES)


def _cells(south: float, north: float, west: float, east: float) -> list[tuple[int, int]]:
    (low_lat, low_lon), (high_lat, high_lon) = _cell(Point(south, west)), _cell(Point(north, east))
    return [(lat, lon) for lat in range(low_lat, high_lat + 1) for lon in range(low_lon, high_lon + 1)]
