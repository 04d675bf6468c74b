"""The rule book's numbers, read from its JSON (configuration only: no rule-book code is imported).

Every rule of conduct is checked whatever the file switches on or off: the rules are the product's,
the file only tunes them. A number the file leaves out takes the product's default.
"""
import json
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "services" / "outreach" / "policy" / "rulebook.default.json"
CONVERSATIONS = frozenset({"reached", "promise_to_pay", "refused", "dispute"})
FAILURES = frozenset({"failed", "no_answer", "wrong_number"})


@dataclass(frozen=True)
class Book:
    version: str
    hours: tuple[time, time] = (time(8), time(21))  # from (included) to (excluded), the borrower's clock
    hours_channels: frozenset[str] = frozenset({"sms", "call", "visit"})
    daily_cap: dict[str, int | None] = field(default_factory=lambda: {"sms": 2, "call": 3, "visit": None})
    rolling_calls: int = 7
    rolling_days: int = 7
    quiet_days: int = 7
    unanswered_per_number: int = 6
    third_party_failed_in_a_row: int = 3
    third_party_purposes: frozenset[str] = frozenset({"locate"})
    locate_templates: frozenset[str] | None = None  # explicit ids; None: 'third_party.<purpose>.*'
    other_versions: frozenset[str] = frozenset()  # policy versions also accepted in decisions (a reload mid-run)

    @property
    def versions(self) -> frozenset[str]:
        return self.other_versions | {self.version}

    def locate_only(self, template_id: str | None) -> bool:
        if template_id is None:
            return False
        if self.locate_templates is not None:
            return template_id in self.locate_templates
        return any(template_id.startswith(f"third_party.{p}.") for p in self.third_party_purposes)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH, **overrides: Any) -> "Book":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), **overrides)

    @classmethod
    def from_json(cls, document: dict[str, Any], **overrides: Any) -> "Book":
        def section(name: str) -> dict[str, Any]:
            return document.get(name) or {}

        hours, caps = section("contact_hours"), section("daily_cap")
        rolling, third = section("rolling_call_cap"), section("third_party")
        values: dict[str, Any] = dict(
            version=document["version"],
            hours=(time.fromisoformat(hours.get("start", "08:00")), time.fromisoformat(hours.get("end", "21:00"))),
            hours_channels=frozenset(hours.get("channels", ("sms", "call", "visit"))),
            daily_cap={channel: caps.get(channel, default) for channel, default in
                       (("sms", 2), ("call", 3), ("visit", None))},
            rolling_calls=rolling.get("max_attempts", 7), rolling_days=rolling.get("days", 7),
            quiet_days=section("quiet_after_conversation").get("days", 7),
            unanswered_per_number=section("unanswered_per_number").get("max_per_day", 6),
            third_party_failed_in_a_row=third.get("failed_attempts_in_a_row", 3),
            third_party_purposes=frozenset(third.get("purposes", ("locate",))),
        )
        return cls(**{**values, **overrides})
