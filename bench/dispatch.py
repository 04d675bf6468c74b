"""Assign and route a day of visits with the dispatch domain, against assigning each to the nearest eligible collectors.

Pure CPU, no database. The planner: `assign_day` (teams by distance from the previous stop plus load,
only collectors who can still make the window) then `plan_route` for every collector with visits.
The baseline: `assign_nearest` (the eligible collectors nearest their homes, no routing), whose
distance is every member's out-and-back trip from home per visit. Its collectors' visits chained in window
order show how many it could actually make in their windows (a visit counts when every member can).
Both in the same run, on the same generated day; seconds are the median of RUNS, each from a cold cache.
`python -m bench.dispatch [--visits N --collectors N --cities N --seed N]` prints the result as JSON.
"""
import argparse
import asyncio
import json
import statistics
import time
from collections import Counter

from bench.dispatch_data import generate
from bench.dispatch_day import assign_day, assign_nearest, stops_by_collector
from services.dispatch.domain import eligibility
from services.dispatch.domain.geo import distance_km
from services.dispatch.domain.routing import plan_route, schedule

SEED, RUNS = 20260310, 3


async def run_dispatch_bench(visits: int = 10_000, collectors: int = 500, cities: int = 20, seed: int = SEED) -> dict:
    day = generate(visits, collectors, cities, seed)
    homes = {c.collector_id: c.home for c in day.collectors}
    planner = _planner_report(homes, *_repeat(lambda: _plan(day, homes)))
    baseline = _baseline_report(homes, *_repeat(lambda: _baseline(day)))
    return {"visits": visits, "collectors": collectors, "cities": cities, "seed": seed,
            "day": str(day.visits[0].local_date), "capacity_total": sum(c.daily_capacity for c in day.collectors),
            "collector_visits_wanted": sum(v.collectors_needed for v in day.visits),
            "planner": planner, "baseline_nearest": baseline, "ratios": _ratios(planner, baseline)}


def _planner_report(homes, result, runs) -> dict:
    assigned, unassignable, routes = result
    as_assigned = sum(schedule(homes[cid], stops).total_km for cid, stops in stops_by_collector(assigned).items())
    km, missed = sum(r.total_km for r in routes.values()), {s.visit_id for r in routes.values() for s in r.late}
    seconds, assign_seconds = (statistics.median(run[n] for run in runs) for n in (0, 1))
    return {"seconds": round(seconds, 3), "runs_seconds": [round(run[0], 3) for run in runs],
            "assign_seconds": round(assign_seconds, 3), "route_seconds": round(seconds - assign_seconds, 3),
            **_counts(assigned, unassignable), "route_km": round(km), "km_in_assigned_order": round(as_assigned),
            "km_per_assigned_visit": _per(km, assigned), "late_stops": sum(len(r.late) for r in routes.values()),
            "visits_every_member_makes": len(assigned) - len(missed), "collectors_with_visits": len(routes)}


def _baseline_report(homes, result, runs) -> dict:
    """Distance: every member's trip from home and back, per visit; feasibility: the visits in window order."""
    assigned, unassignable = result
    km = sum(2 * distance_km(homes[cid], a.visit.location) for a in assigned for cid in a.collector_ids)
    chained = [schedule(homes[cid], stops) for cid, stops in stops_by_collector(assigned).items()]
    missed = {s.visit_id for route in chained for s in route.late}
    return {"seconds": round(statistics.median(run[0] for run in runs), 3),
            "runs_seconds": [round(run[0], 3) for run in runs], **_counts(assigned, unassignable),
            "out_and_back_km": round(km), "km_per_assigned_visit": _per(km, assigned),
            "member_stops_late_in_window_order": sum(len(route.late) for route in chained),
            "visits_every_member_makes_in_window_order": len(assigned) - len(missed)}


def _plan(day, homes) -> tuple[tuple, tuple[float, float]]:
    """The planner's day; seconds in all, and for the assignment alone."""
    started = time.perf_counter()
    assigned, unassignable = assign_day(day.visits, day.collectors)
    assigned_at = time.perf_counter()
    routes = {cid: plan_route(homes[cid], stops, initial=stops) for cid, stops in stops_by_collector(assigned).items()}
    return (assigned, unassignable, routes), (time.perf_counter() - started, assigned_at - started)


def _baseline(day) -> tuple[tuple, tuple[float]]:
    started = time.perf_counter()
    result = assign_nearest(day.visits, day.collectors)
    return result, (time.perf_counter() - started,)


def _repeat(run) -> tuple[tuple, list[tuple[float, ...]]]:
    """RUNS runs, each from a cold slot cache so that neither side inherits the other's; they must agree."""
    outcomes = []
    for _ in range(RUNS):
        eligibility._slot.cache_clear()
        outcomes.append(run())
    first = outcomes[0][0]
    assert all(result == first for result, _ in outcomes), "the same day planned twice came out differently"
    return first, [seconds for _, seconds in outcomes]


def _counts(assigned, unassignable) -> dict:
    reasons = Counter(u.reason for u in unassignable)
    return {"assigned": len(assigned), "unassignable": len(unassignable),
            "unassignable_by_reason": dict(reasons.most_common())}


def _per(km: float, assigned) -> float:
    return round(km / len(assigned), 2) if assigned else 0.0


def _ratios(planner: dict, baseline: dict) -> dict:
    """Planner over baseline: time, total km, km per assigned visit, visits assigned, visits doable in their window."""
    doable = baseline["visits_every_member_makes_in_window_order"]
    return {"seconds": round(planner["seconds"] / baseline["seconds"], 2),
            "km": round(planner["route_km"] / baseline["out_and_back_km"], 3),
            "km_per_assigned_visit": round(planner["km_per_assigned_visit"] / baseline["km_per_assigned_visit"], 3),
            "assigned": round(planner["assigned"] / baseline["assigned"], 3),
            "visits_made_in_window": round(planner["visits_every_member_makes"] / doable, 2) if doable else None}


def summary_rows(r: dict) -> list[tuple[str, str, str, str]]:
    planner, baseline, ratios = r["planner"], r["baseline_nearest"], r["ratios"]
    day = f"{r['visits']:,} visits, {r['collectors']} collectors, {r['cities']} cities"
    return [
        (f"Baseline: each visit to the nearest eligible collectors, no routing ({day})", f"{baseline['seconds']}",
         "s", "baseline"),
        ("  its distance (out and back per visit) / visits every member can make in window order",
         f"{baseline['out_and_back_km']:,} km", f"{baseline['visits_every_member_makes_in_window_order']:,} visits",
         "baseline"),
        ("Dispatch: assign by distance from the previous stop and load, then route (NN + 2-opt)",
         f"{planner['seconds']}", "s", f"{ratios['seconds']}x"),
        ("  its route length / visits every member makes inside the window",
         f"{planner['route_km']:,} km", f"{planner['visits_every_member_makes']:,} visits",
         f"{ratios['km']}x km, {ratios['visits_made_in_window']}x visits"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.splitlines()[0])
    for name, default in (("visits", 10_000), ("collectors", 500), ("cities", 20), ("seed", SEED)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    started = time.perf_counter()
    result = asyncio.run(run_dispatch_bench(args.visits, args.collectors, args.cities, args.seed))
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
