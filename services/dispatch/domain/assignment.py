"""Assigning a visit to a team of eligible collectors.

Candidates are ranked as `scoring` says (the planner's rank: distance from the
day's previous stop plus load), given the day so far (`plan.day_so_far`).

When no team can go, the reason is the most common one among the collectors
who cover the visit's area (why the people who could have gone did not);
"outside_territory" when nobody covers it. Beyond eligibility's reasons:
"not_enough_collectors" (some eligible, fewer than the team needs),
"schedule_full" (enough eligible, too few can reach it in time) and
"no_common_slot" (enough can, but no team's free times meet for a visit's length).
"""
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.dispatch.domain.eligibility import REASONS, judge
from services.dispatch.domain.geo import covers
from services.dispatch.domain.plan import Assignment, DayPlan, Unassignable
from services.dispatch.domain.policy import DEFAULT, DispatchPolicy
from services.dispatch.domain.roster import Collector
from services.dispatch.domain.scoring import Place, from_last_stop
from services.dispatch.domain.teams import Candidate, pick_team, team_slot, team_start
from services.dispatch.domain.visits import VisitRequest

Result = Assignment | Unassignable
_PRECEDENCE = {reason: n for n, reason in enumerate(REASONS)}  # ties between reasons go the same way every time


@dataclass
class _Survey:
    """What asking every collector found: why each could not go, and who could."""

    reasons: Counter[str] = field(default_factory=Counter)  # of every collector asked
    headline: Counter[str] = field(default_factory=Counter)  # of those covering the visit's area only
    candidates: list[Candidate] = field(default_factory=list)  # eligible and able to make the window
    unreachable: int = 0  # eligible, but cannot get there in time after their last visit


def assign(visit: VisitRequest, collectors: Iterable[Collector], state: DayPlan,
           policy: DispatchPolicy = DEFAULT, place: Place = from_last_stop) -> Result:
    """`collectors` may be the whole roster or only those who might cover the area: the team is the same.

    `place` ranks a candidate; production always uses the planner's `from_last_stop`."""
    survey = _survey(visit, collectors, state, policy, place)
    counted = tuple(sorted(survey.reasons.items(), key=lambda item: (-item[1], _PRECEDENCE[item[0]])))
    eligible, needed = len(survey.candidates) + survey.unreachable, visit.collectors_needed
    if eligible == 0:
        return Unassignable(visit, _most_common(survey.headline), counted)
    if eligible < needed:
        return Unassignable(visit, "not_enough_collectors", counted)
    if len(survey.candidates) < needed:
        return Unassignable(visit, "schedule_full", counted)
    team = pick_team(sorted(survey.candidates, key=lambda c: c.key), needed, policy.duration)
    if team is None:
        return Unassignable(visit, "no_common_slot", counted)
    return Assignment(visit, tuple(c.collector.collector_id for c in team), team_start(team), team_slot(team))


def _survey(visit: VisitRequest, collectors: Iterable[Collector], state: DayPlan, policy: DispatchPolicy,
            place: Place) -> _Survey:
    survey = _Survey()
    for collector in collectors:
        progress = state.of(collector.collector_id)
        verdict = judge(collector, visit, progress.load, policy)
        if verdict.reason is not None:
            survey.reasons[verdict.reason] += 1
            if verdict.reason != "outside_territory" and covers(collector.territory, visit.area, visit.location):
                survey.headline[verdict.reason] += 1
            continue
        assert verdict.slot is not None  # judge gives every eligible collector a slot
        candidate = place(collector, progress, visit, verdict.slot, policy)
        if candidate.ready + policy.duration <= candidate.slot[1]:
            survey.candidates.append(candidate)
        else:
            survey.unreachable += 1
    return survey


def _most_common(headline: Counter[str]) -> str:
    ranked = sorted(headline.items(), key=lambda item: (-item[1], _PRECEDENCE[item[0]]))
    return ranked[0][0] if ranked else "outside_territory"
