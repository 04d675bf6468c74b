"""Choosing a team that can be at the same door at the same time.

Each member being free for the visit is not enough: one may finish work
before the other can arrive. A team needs a common stretch of at least a
visit's length, starting once the last of them can be there.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.dispatch.domain.localtime import Span
from services.dispatch.domain.roster import Collector


@dataclass(frozen=True)
class Candidate:
    collector: Collector
    score: float  # lower is better
    ready: datetime  # the earliest this collector can begin the visit
    slot: Span  # where the collector's hours, the window and 08-21 meet

    @property
    def key(self) -> tuple[float, str]:
        """Best first; equal scores go by id, so the same inputs always make the same team."""
        return self.score, self.collector.collector_id


def pick_team(ranked: Sequence[Candidate], size: int, duration: timedelta) -> tuple[Candidate, ...] | None:
    """The best-ranked candidate with the next best who fit with it; failing that, the next best as anchor."""
    for anchor in ranked:
        team = [anchor]
        for other in ranked:
            if len(team) == size:
                break
            if other is not anchor and fits([*team, other], duration):
                team.append(other)
        if len(team) == size:
            return tuple(team)
    return None


def fits(team: Sequence[Candidate], duration: timedelta) -> bool:
    return team_start(team) + duration <= min(c.slot[1] for c in team)


def team_start(team: Sequence[Candidate]) -> datetime:
    return max(c.ready for c in team)


def team_slot(team: Sequence[Candidate]) -> Span:
    return max(c.slot[0] for c in team), min(c.slot[1] for c in team)
