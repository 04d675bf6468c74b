"""The rule book as configuration: every rule can be switched off and tuned, and the whole has a version.

This module defines the rule book and loads it; `rule_engine.decide` applies it to a contact request.

Regulation changes, so the rules of conduct live in a versioned JSON file,
not in code; every decision records the version that made it. A rule
section left out of the file takes the product default, which is on:
forgetting a section can never silently switch a protection off.
"""
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, model_validator

from services.outreach.domain.windows import HoursWindow

Channel = Literal["sms", "call", "visit"]
Purpose = Literal["reminder", "collection", "locate", "visit_confirmation"]

DEFAULT_RULEBOOK_PATH = Path(__file__).resolve().parents[1] / "policy" / "rulebook.default.json"


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True


class ContactHours(Rule):
    """Contact only between `start` and `end` on the borrower's local wall clock."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    channels: frozenset[Channel] = frozenset({"sms", "call", "visit"})

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> "ContactHours":
        HoursWindow(self.start, self.end)
        return self

    @property
    def window(self) -> HoursWindow:
        return HoursWindow(self.start, self.end)


class DailyCap(Rule):
    """At most this many attempts per channel per person per local calendar day; null: no cap."""

    sms: PositiveInt | None = 2
    call: PositiveInt | None = 3
    visit: PositiveInt | None = None

    def limit(self, channel: Channel) -> int | None:
        return {"sms": self.sms, "call": self.call, "visit": self.visit}[channel]


class RollingCallCap(Rule):
    """At most `max_attempts` calls per person in any `days` x 24 hours."""

    max_attempts: PositiveInt = 7
    days: PositiveInt = 7


class QuietAfterConversation(Rule):
    """No call for `days` x 24 hours after a completed conversation with the borrower.

    A call to the borrower whose outcome is not known yet may have been a conversation: it counts as one until
    its outcome arrives or `unknown_outcome_counts_for_hours` pass (0: it never counts)."""

    days: PositiveInt = 7
    unknown_outcome_counts_for_hours: NonNegativeInt = 24


class UnansweredPerNumber(Rule):
    """At most `max_per_day` unanswered calls to one number per local calendar day."""

    max_per_day: PositiveInt = 6


class AgreementInForce(Rule):
    """An agreement in force stops all contact about its loan, every case of it, also those opened after signing;
    with `holds_other_loans`, also about the customer's other loans."""

    holds_other_loans: bool = False


class ThirdParty(Rule):
    """Emergency contacts only to locate an unreachable borrower.

    Unreachable: every borrower number is known invalid, or the borrower's
    last `failed_attempts_in_a_row` attempts with a known outcome all failed.
    """

    failed_attempts_in_a_row: PositiveInt = 3
    purposes: frozenset[Purpose] = frozenset({"locate"})


class RuleBook(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    complaint: Rule = Rule()
    paid_up: Rule = Rule()
    dispute: Rule = Rule()
    agreement: AgreementInForce = AgreementInForce()
    stop_contact: Rule = Rule()
    third_party: ThirdParty = ThirdParty()
    invalid_destination: Rule = Rule()
    preferred_channel: Rule = Rule()
    preferred_hours: Rule = Rule()
    contact_hours: ContactHours = ContactHours()
    daily_cap: DailyCap = DailyCap()
    rolling_call_cap: RollingCallCap = RollingCallCap()
    quiet_after_conversation: QuietAfterConversation = QuietAfterConversation()
    unanswered_per_number: UnansweredPerNumber = UnansweredPerNumber()

    @classmethod
    def load(cls, path: str | Path = DEFAULT_RULEBOOK_PATH) -> "RuleBook":
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
