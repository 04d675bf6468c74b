"""A realistic day for the dispatch benchmark, drawn from a seeded generator (the same day on every machine).

20 cities with their real coordinates (Urumqi on Xinjiang time, Asia/Urumqi, UTC+6; half its collectors
keep Beijing time, so their hours are read in another zone), 6 districts each within about 12 km of the
centre. Collectors, spread over the cities by size: territory the whole city (50%), 2-3 districts (35%)
or a polygon around a district (15%); capacity 8-14; shifts 08-17, 09-18, 10-19 or 12-21, Monday to
Saturday (a quarter also Sunday); certified (94%), expired (3%) or never (3%); active 97%; Cantonese
("yue") in the southern cities, English for 20%. Visits, spread by city size: around a district
centre (sigma 3 km), a 2-hour window starting on the half hour from 08:00 to 19:00 (so inside
08:00-21:00), English required for 4%, Cantonese for 25% in the southern cities; two collectors each.
"""
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.dispatch.domain.geo import Point, Territory
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.visits import VisitRequest

DAY = date(2026, 3, 10)  # a Tuesday
CITIES = [  # name, latitude, longitude, zone, weight (rough population share)
    ("shanghai", 31.2304, 121.4737, "Asia/Shanghai", 10), ("beijing", 39.9042, 116.4074, "Asia/Shanghai", 9),
    ("guangzhou", 23.1291, 113.2644, "Asia/Shanghai", 8), ("shenzhen", 22.5431, 114.0579, "Asia/Shanghai", 8),
    ("chengdu", 30.5728, 104.0668, "Asia/Shanghai", 7), ("chongqing", 29.5630, 106.5516, "Asia/Shanghai", 7),
    ("hangzhou", 30.2741, 120.1551, "Asia/Shanghai", 5), ("wuhan", 30.5928, 114.3055, "Asia/Shanghai", 5),
    ("xian", 34.3416, 108.9398, "Asia/Shanghai", 5), ("nanjing", 32.0603, 118.7969, "Asia/Shanghai", 4),
    ("tianjin", 39.3434, 117.3616, "Asia/Shanghai", 5), ("suzhou", 31.2989, 120.5853, "Asia/Shanghai", 4),
    ("changsha", 28.2282, 112.9388, "Asia/Shanghai", 4), ("zhengzhou", 34.7466, 113.6253, "Asia/Shanghai", 4),
    ("shenyang", 41.8057, 123.4315, "Asia/Shanghai", 3), ("qingdao", 36.0671, 120.3826, "Asia/Shanghai", 3),
    ("xiamen", 24.4798, 118.0894, "Asia/Shanghai", 2), ("kunming", 25.0389, 102.7183, "Asia/Shanghai", 3),
    ("harbin", 45.8038, 126.5350, "Asia/Shanghai", 3), ("urumqi", 43.8256, 87.6168, "Asia/Urumqi", 2),
]
SOUTH = {"guangzhou", "shenzhen"}
SHIFTS = [(time(8), time(17)), (time(9), time(18)), (time(10), time(19)), (time(12), time(21))]
KM_PER_DEGREE = 111.2


@dataclass(frozen=True)
class City:
    name: str
    centre: Point
    zone: str
    weight: int
    districts: tuple[Point, ...]


@dataclass(frozen=True)
class Day:
    cities: list[City]
    collectors: list[Collector]
    visits: list[VisitRequest]


def generate(visits: int, collectors: int, cities: int, seed: int) -> Day:
    rng = random.Random(seed)
    places = [_city(rng, *row) for row in CITIES[:cities]]
    weights = [c.weight for c in places]
    roster = [_collector(rng, n, rng.choices(places, weights)[0]) for n in range(collectors)]
    requests = [_visit(rng, n, rng.choices(places, weights)[0]) for n in range(visits)]
    return Day(places, roster, requests)


def _near(rng: random.Random, centre: Point, sigma_km: float) -> Point:
    lat = centre.lat + rng.gauss(0, sigma_km) / KM_PER_DEGREE
    return Point(lat, centre.lon + rng.gauss(0, sigma_km) / (KM_PER_DEGREE * _cos(lat)))


def _cos(lat: float) -> float:
    return math.cos(math.radians(lat))


def _city(rng: random.Random, name: str, lat: float, lon: float, zone: str, weight: int) -> City:
    centre = Point(lat, lon)
    return City(name, centre, zone, weight, tuple(_near(rng, centre, 7) for _ in range(6)))


def _collector(rng: random.Random, n: int, city: City) -> Collector:
    shape, district = rng.random(), rng.randrange(len(city.districts))
    if shape < 0.5:
        territory = Territory(frozenset({city.name}))
    elif shape < 0.85:
        picked = rng.sample(range(len(city.districts)), rng.choice((2, 3)))
        territory = Territory(frozenset(f"{city.name}/d{d}" for d in picked))
    else:
        territory = Territory(polygon=_square(city.districts[district], 6))
    certified = rng.random()
    until = DAY + timedelta(days=rng.randint(0, 365)) if certified < 0.94 else (
        DAY - timedelta(days=rng.randint(1, 60)) if certified < 0.97 else None)
    skills = {"zh"} | ({"en"} if rng.random() < 0.2 else set()) | (
        {"yue"} if rng.random() < (0.6 if city.name in SOUTH else 0.03) else set())
    shift = rng.choice(SHIFTS)
    hours = (shift,) * 6 + ((shift,) if rng.random() < 0.25 else (None,))
    zone = "Asia/Shanghai" if city.zone == "Asia/Urumqi" and rng.random() < 0.5 else city.zone
    return Collector(f"col-{n:04d}", f"Collector {n}", territory, until, frozenset(skills), rng.randint(8, 14),
                     hours, _near(rng, city.districts[district], 4), zone, rng.random() < 0.97)


def _square(centre: Point, half_km: float) -> tuple[Point, ...]:
    dlat, dlon = half_km / KM_PER_DEGREE, half_km / (KM_PER_DEGREE * _cos(centre.lat))
    return tuple(Point(centre.lat + a * dlat, centre.lon + b * dlon) for a, b in ((-1, -1), (-1, 1), (1, 1), (1, -1)))


def _visit(rng: random.Random, n: int, city: City) -> VisitRequest:
    district = rng.randrange(len(city.districts))
    start = datetime.combine(DAY, time(8), tzinfo=ZoneInfo(city.zone)) + timedelta(minutes=30 * rng.randint(0, 22))
    skills = {"en"} if rng.random() < 0.04 else ({"yue"} if city.name in SOUTH and rng.random() < 0.25 else set())
    return VisitRequest(f"visit-{n:05d}", f"case-{n:05d}", f"cust-{n:05d}", f"{city.name}/d{district}",
                        _near(rng, city.districts[district], 3), city.zone, start, start + timedelta(hours=2),
                        frozenset(skills))
