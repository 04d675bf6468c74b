"""What outreach's use cases need, built once at start-up from the settings and passed in."""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.strategy import Ladder, StrategyTable


@dataclass(frozen=True)
class Outreach:
    rulebook: RuleBook
    strategy: StrategyTable
    callback_number: str
    promise_grace_days: int
    due_cases_per_tick: int
    zone: ZoneInfo  # the portfolio's: its calendar dates promises and business days

    def ladder(self, variant: str, name: str | None) -> Ladder | None:
        table = self.strategy.challenger if variant == "challenger" else self.strategy.champion
        return next((ladder for ladder in table if ladder.name == name), None)
