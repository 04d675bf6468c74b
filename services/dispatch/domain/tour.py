"""The arithmetic of one collector's day, in plain numbers: stop 0 is home, times are epoch seconds.

A stop that cannot begin by its window's end less a visit's length is late:
it is not done (visits happen only inside the confirmed window), costs no
time or distance, and goes back for re-planning.
"""
import math
from dataclasses import dataclass

EPSILON_KM = 1e-9


@dataclass(frozen=True)
class Tour:
    km: tuple[tuple[float, ...], ...]  # km[a][b]: distance between stops a and b
    opens: tuple[float, ...]  # window start of each stop
    latest: tuple[float, ...]  # the last moment each stop can begin
    pace: float  # seconds per km
    duration: float  # seconds at each door
    leave: float = -math.inf  # when the collector leaves home; -inf: in time for the first stop


@dataclass(frozen=True)
class Walk:
    km: float
    starts: dict[int, float]  # when each stop done begins
    late: frozenset[int]


def walk(tour: Tour, order: list[int]) -> Walk:
    clock, here, km, starts, late = tour.leave, 0, 0.0, {}, set()
    for stop in order:
        start = max(clock + tour.km[here][stop] * tour.pace, tour.opens[stop])
        if start > tour.latest[stop]:
            late.add(stop)
            continue
        km += tour.km[here][stop]
        starts[stop], clock, here = start, start + tour.duration, stop
    return Walk(km + tour.km[here][0], starts, frozenset(late))


def nearest_neighbour(tour: Tour) -> list[int]:
    """Next, the stop that can begin soonest (travel plus any wait for its window), then the nearest.

    With time windows, "nearest" has to be in time: the stop a street away
    whose window opens at 18:00 is not the next one at 10:00.
    """
    left, clock, here = set(range(1, len(tour.opens))), tour.leave, 0
    order: list[int] = []
    while left:
        begins = {s: max(clock + tour.km[here][s] * tour.pace, tour.opens[s]) for s in left}
        doable = [s for s in left if begins[s] <= tour.latest[s]]
        if not doable:
            return order + sorted(left, key=lambda s: (tour.opens[s], s))
        here = min(doable, key=lambda s: (begins[s], tour.km[here][s], s))
        order.append(here)
        left.remove(here)
        clock = begins[here] + tour.duration
    return order


def two_opt(tour: Tour, order: list[int]) -> list[int]:
    """Reverse stretches of the order while that shortens the day and makes no stop late that was not."""
    best, current = list(order), walk(tour, order)
    improved = True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for k in range(i + 1, len(best)):
                if not current.late and _gain(tour, best, i, k) <= EPSILON_KM:
                    continue  # with every stop done the gain is exact: no need to walk it
                candidate = best[:i] + best[i:k + 1][::-1] + best[k + 1:]
                trial = walk(tour, candidate)
                if trial.km < current.km - EPSILON_KM and trial.late <= current.late:
                    best, current, improved = candidate, trial, True
    return best


def _gain(tour: Tour, order: list[int], i: int, k: int) -> float:
    before, first, last = order[i - 1] if i else 0, order[i], order[k]
    after = order[k + 1] if k + 1 < len(order) else 0
    d = tour.km
    return d[before][first] + d[last][after] - d[before][last] - d[first][after]
