"""Where collectors work and visits happen: points, distances, territories.

An area code is "city" or "city/district". A territory listing a city covers
all its districts; one listing a district does not cover a visit known only by
its city, since the visit might be in any district (collectors go only where
they are assigned). A territory may also be a polygon, for beats that do not
follow district lines.
"""
import math
from dataclasses import dataclass
from functools import cached_property

EARTH_RADIUS_KM = 6371.0088  # the mean radius


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance: shorter than any road, but it ranks candidates the same way."""
    phi_a, phi_b = math.radians(a.lat), math.radians(b.lat)
    half_chord = (math.sin((phi_b - phi_a) / 2) ** 2
                  + math.cos(phi_a) * math.cos(phi_b) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half_chord)))


@dataclass(frozen=True)
class Territory:
    areas: frozenset[str] = frozenset()
    polygon: tuple[Point, ...] = ()  # vertices in order; closing edge implied

    @property
    def empty(self) -> bool:
        return not self.areas and not self.polygon

    @cached_property
    def cities(self) -> frozenset[str]:
        """Every city the listed areas touch: where an index of collectors by city files this one."""
        return frozenset(city_of(area) for area in self.areas)

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """(south, north, west, east) of the polygon: most points are rejected without the ray cast."""
        lats, lons = [p.lat for p in self.polygon], [p.lon for p in self.polygon]
        return min(lats), max(lats), min(lons), max(lons)


def area_code(city: str, district: str | None) -> str:
    """An address's area code: "city/district", or "city" when the district is not known."""
    return f"{city}/{district}" if district else city


def city_of(area: str) -> str:
    return area.split("/", 1)[0]


def covers(territory: Territory, area: str | None, location: Point | None = None) -> bool:
    """By area code (a city covers its districts), or by the visit's coordinates inside the polygon."""
    if area is not None and (area in territory.areas or city_of(area) in territory.areas):
        return True
    if location is None or len(territory.polygon) < 3:
        return False
    south, north, west, east = territory.bounds
    return south <= location.lat <= north and west <= location.lon <= east and inside(territory.polygon, location)


def inside(polygon: tuple[Point, ...], point: Point) -> bool:
    """Ray casting: a ray due east from the point crosses the boundary an odd number of times iff it is inside.

    Latitude and longitude are treated as a plane: exact enough at city scale,
    wrong across the antimeridian or around a pole, where no territory lies.
    A point exactly on an edge may fall either way.
    """
    crossings = False
    previous = polygon[-1]
    for vertex in polygon:
        if (vertex.lat > point.lat) != (previous.lat > point.lat):
            lon_at = vertex.lon + (point.lat - vertex.lat) * (previous.lon - vertex.lon) / (previous.lat - vertex.lat)
            if point.lon < lon_at:
                crossings = not crossings
        previous = vertex
    return crossings
