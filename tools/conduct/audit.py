"""Every rule over the facts of a run: the breaches, in time order, and what could not be checked."""
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.conduct import rules_consent, rules_loan, rules_record, rules_time
from tools.conduct.attempts_table import StoredAttempt
from tools.conduct.facts import Facts
from tools.conduct.kinds import KINDS
from tools.conduct.model import Breach
from tools.conduct.reading import read
from tools.conduct.rulebook import Book

Rule = Callable[[Facts, Book], Iterator[Breach]]
RULES: tuple[Rule, ...] = (
    rules_time.contact_hours, rules_time.preferred_hours, rules_time.daily_cap, rules_time.rolling_call_cap,
    rules_time.call_after_conversation, rules_time.unanswered_calls_per_number,
    rules_consent.stated_preferences, rules_consent.complaints, rules_consent.third_parties, rules_consent.numbers,
    rules_loan.loan_states, rules_loan.visits, rules_loan.visits_cancelled_after_payment,
    rules_record.decisions, rules_record.visits_decided,
)


@dataclass
class Audit:
    breaches: list[Breach]
    gaps: Counter[str] = field(default_factory=Counter)  # what could not be checked, and why (times asked)

    def summary(self) -> Counter[str]:
        return summary(self.breaches)


def run_audit(events: Mapping[str, Iterable[dict[str, Any]]], *, stored: Mapping[str, StoredAttempt] | None = None,
              book: Book | None = None) -> Audit:
    facts = read(events, stored)
    book = book or Book.load()
    breaches = [breach for rule in RULES for breach in rule(facts, book)]
    unknown = {b.kind for b in breaches} - set(KINDS)
    if unknown:
        raise AssertionError(f"breach kinds without a definition: {sorted(unknown)}")
    return Audit(sorted(breaches, key=lambda b: (b.at, b.person, b.kind, b.detail)), facts.gaps)


def summary(breaches: Iterable[Breach]) -> Counter[str]:
    return Counter(breach.kind for breach in breaches)
