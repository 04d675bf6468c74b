"""Strategy ladders as configuration: which steps a case climbs, chosen by its segment and variant.

Each table is a list of ladders, each with the segment it serves; the first
ladder whose segment matches the case wins, so specific rows go first and a
catch-all row last. Two tables run side by side (champion and challenger) on
a deterministic split of cases, so their recovery can be compared.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, model_validator

from shared.events.delinquency import RiskSegment
from shared.stable_pick import stable_fraction

Action = Literal["sms_reminder", "call", "visit", "legal_referral"]
Contactability = Literal["reachable", "unreachable"]
Variant = Literal["champion", "challenger"]

DEFAULT_STRATEGY_PATH = Path(__file__).resolve().parents[1] / "policy" / "strategy.default.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Frozen):
    action: Action
    wait_days: NonNegativeInt = 0  # after the previous step ends, before this one starts
    max_attempts: PositiveInt = 1  # calls made, or visit-time offers, before the step counts as failed


class Segment(_Frozen):
    """Which cases a ladder serves; a field left out matches every case. Amounts: min <= x < max."""

    buckets: frozenset[str] | None = None
    risk_segments: frozenset[RiskSegment] | None = None
    min_overdue_amount: NonNegativeInt = 0
    max_overdue_amount: PositiveInt | None = None
    contactability: Contactability | None = None
    min_broken_promises: NonNegativeInt = 0


@dataclass(frozen=True)
class CaseProfile:
    bucket: str
    risk_segment: RiskSegment
    overdue_amount: int  # minor units
    contactability: Contactability
    broken_promises: int

    def within(self, segment: Segment) -> bool:
        return ((segment.buckets is None or self.bucket in segment.buckets)
                and (segment.risk_segments is None or self.risk_segment in segment.risk_segments)
                and segment.min_overdue_amount <= self.overdue_amount
                and (segment.max_overdue_amount is None or self.overdue_amount < segment.max_overdue_amount)
                and (segment.contactability is None or self.contactability == segment.contactability)
                and self.broken_promises >= segment.min_broken_promises)


class Ladder(_Frozen):
    name: str = Field(min_length=1)
    when: Segment = Segment()
    steps: tuple[Step, ...] = Field(min_length=1)


class StrategyTable(_Frozen):
    version: str = Field(min_length=1)
    challenger_share: float = Field(default=0.0, ge=0.0, le=1.0)
    champion: tuple[Ladder, ...] = Field(min_length=1)
    challenger: tuple[Ladder, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "StrategyTable":
        if self.challenger_share > 0 and not self.challenger:
            raise ValueError("a challenger share needs a challenger table")
        for table in (self.champion, self.challenger):
            names = [ladder.name for ladder in table]
            if len(names) != len(set(names)):
                raise ValueError(f"ladder names must be unique within a table: {names}")
        return self

    @classmethod
    def load(cls, path: str | Path = DEFAULT_STRATEGY_PATH) -> "StrategyTable":
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    def ladder_for(self, variant: Variant, profile: CaseProfile) -> Ladder | None:
        """The first ladder of the variant's table serving the case; None when no row does."""
        table = self.challenger if variant == "challenger" else self.champion
        return next((ladder for ladder in table if profile.within(ladder.when)), None)

    def variant_of(self, case_id: str) -> Variant:
        return variant_for(case_id, self.challenger_share)


def variant_for(case_id: str, challenger_share: float) -> Variant:
    """The same case gets the same variant in every process and on every replay.

    A case's place in [0, 1) comes from SHA-256 of its id (`shared.stable_pick.stable_fraction`; Python's
    hash() is salted per process); cases placed below the share run the challenger.
    """
    return "challenger" if stable_fraction(case_id) < challenger_share else "champion"
