"""A simulated roster for `make run`: collectors in the simulator's cities, created through the
dispatch service's own roster API (the path a supervisor's tool takes)."""
import json
import random
import urllib.request
from datetime import date

from simulator.places import CITIES

WORKDAY = {"start": "09:00", "end": "20:00"}


def roster(per_city: int = 6, seed: int = 7) -> list[dict]:
    rng = random.Random(f"roster:{seed}")
    collectors = []
    for city in CITIES:
        for n in range(per_city):
            lapsed = n == per_city - 1  # one per city whose field certification has lapsed: never dispatched
            collectors.append({
                "name": f"{city.name}外访{n + 1:02d}",
                "territory": [city.name] if n % 2 == 0 else [f"{city.name}/{d}" for d in city.districts[:2]],
                "certified_until": "2025-12-31" if lapsed else date(2027, 12, 31).isoformat(),
                "skills": ["zh"],
                "daily_capacity": rng.randint(6, 10),
                "hours": {str(day): WORKDAY for day in range(6)},  # Monday to Saturday
                "home": {"latitude": city.latitude + rng.uniform(-0.05, 0.05),
                         "longitude": city.longitude + rng.uniform(-0.05, 0.05)},
                "time_zone": "Asia/Urumqi" if city.urumqi_zone_share else "Asia/Shanghai",
            })
    return collectors


def seed(base_url: str, token: str) -> int:
    created = 0
    for collector in roster():
        request = urllib.request.Request(f"{base_url}/collectors", data=json.dumps(collector).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            created += response.status == 201
    return created
