"""The dispatch settings that are configuration, not code: regulation and practice change them."""
from dataclasses import dataclass
from datetime import time, timedelta
from functools import cached_property


@dataclass(frozen=True)
class DispatchPolicy:
    visit_minutes: int = 45  # how long a visit takes at the door
    visiting_from: time = time(8)  # field visits only between these, on the borrower's own wall clock
    visiting_until: time = time(21)
    speed_kmh: float = 25.0  # door-to-door average in city traffic, over straight-line distance
    load_weight_km: float = 5.0  # a visit already on a collector's day weighs like this many km of travel
    version: str = "2026-12-03.1"  # recorded with every visit decision

    def __post_init__(self) -> None:
        if self.visit_minutes <= 0:
            raise ValueError("a visit must take some time")
        if not self.visiting_from < self.visiting_until:
            raise ValueError("visiting hours must start before they end")
        if self.speed_kmh <= 0 or self.load_weight_km < 0:
            raise ValueError("speed must be positive and the load weight not negative")

    @cached_property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.visit_minutes)

    def travel_seconds(self, km: float) -> float:
        return km / self.speed_kmh * 3600.0


DEFAULT = DispatchPolicy()
