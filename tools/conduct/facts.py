"""What happened, as the rules need it: people's zones and numbers over time, attempts and visits,
and the spans in which a complaint, a stop request, a dispute, an agreement or a payoff was in force."""
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from tools.conduct.attempts_table import StoredAttempt
from tools.conduct.model import Attempt, Contact, Span


@dataclass
class Visit:
    visit_id: str
    person: str
    case_id: str
    loan_id: str
    request_id: str | None = None
    window: tuple[datetime, datetime] | None = None  # as dispatch last scheduled it
    assigned_at: datetime | None = None
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    over_at: datetime | None = None  # completed, cancelled, or missed for good
    decisions: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # stage: (rule, version)


@dataclass(frozen=True)
class VisitRequest:
    request_id: str
    person: str
    zone: str
    window: tuple[datetime, datetime]
    confirmed_at: datetime


@dataclass(frozen=True)
class NumbersChange:
    at: datetime
    own: tuple[str, ...]
    emergency: tuple[str, ...]
    replaces_own: bool  # an update replaces the borrower's numbers; an origination adds to them


@dataclass
class Facts:
    attempts: dict[str, Attempt] = field(default_factory=dict)
    decisions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (type, data), attempted/blocked
    visits: dict[str, Visit] = field(default_factory=dict)
    requests: dict[str, VisitRequest] = field(default_factory=dict)
    loan_of_case: dict[str, str] = field(default_factory=dict)
    zones: dict[str, list[tuple[datetime, str]]] = field(default_factory=lambda: defaultdict(list))
    numbers: dict[str, list[NumbersChange]] = field(default_factory=lambda: defaultdict(list))
    preferences: dict[str, list[tuple[datetime, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))
    complaints: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))  # by person
    disputes: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))  # by loan
    agreements: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))  # by loan
    cleared: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))  # by case: paid up until reopened
    stored: dict[str, StoredAttempt] = field(default_factory=dict)
    gaps: Counter[str] = field(default_factory=Counter)  # what could not be checked, and why
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # read once every fact is in

    def contacts(self) -> list[Contact]:
        """Every SMS or call that went out, and every visit check-in, in time order."""
        if "contacts" not in self._memo:
            self._memo["contacts"] = self._contacts()
        return list(self._memo["contacts"])

    def reported(self, person: str, *outcomes: str) -> list[Attempt]:
        """The person's attempts reported with one of `outcomes`, in time order."""
        key = (person, outcomes)
        if key not in self._memo:
            self._memo[key] = [a for a in self.attempts_by_person.get(person, ()) if a.outcome in outcomes]
        return list(self._memo[key])

    def _contacts(self) -> list[Contact]:
        found = [Contact(a.attempt_id, a.person, a.channel, a.recipient, a.at, a.case_id,
                         self.loan_of_case.get(a.case_id or ""), a.template_id, a.number)
                 for a in self.attempts.values() if a.went_out and a.channel != "visit"]  # a visit: its check-in
        found += [Contact(v.visit_id, v.person, "visit", "borrower", v.checked_in_at, v.case_id, v.loan_id)
                  for v in self.visits.values() if v.checked_in_at is not None]
        return sorted(found, key=lambda c: (c.at, c.ref))

    @cached_property
    def attempts_by_person(self) -> dict[str, list[Attempt]]:
        """Each person's attempts (sent or not) in time order; read once every fact is in."""
        found: dict[str, list[Attempt]] = defaultdict(list)
        for attempt in sorted(self.attempts.values(), key=lambda a: (a.at, a.attempt_id)):
            found[attempt.person].append(attempt)
        return found

    def zone_at(self, person: str, at: datetime) -> ZoneInfo | None:
        """The borrower's zone at `at`: the last one set by then (before anything, the first one known)."""
        changes = self.zones.get(person)
        if not changes:
            return None
        index = bisect_right([when for when, _ in changes], at)
        return ZoneInfo(changes[max(index - 1, 0)][1])

    def numbers_at(self, person: str, at: datetime) -> tuple[set[str], set[str]] | None:
        """(the borrower's own numbers, their emergency contacts') as the loan system last said by `at`."""
        changes = [c for c in self.numbers.get(person, ()) if c.at <= at]
        if not changes:
            return None
        own: set[str] = set()
        emergency: set[str] = set()
        for change in changes:
            own = set(change.own) if change.replaces_own else own | set(change.own)
            emergency |= set(change.emergency)
        return own, emergency

    def named_since(self, person: str, number: str, since: datetime, until: datetime) -> bool:
        """The loan system named `number` as the borrower's after `since`, by `until`."""
        return any(since < c.at <= until and number in c.own for c in self.numbers.get(person, ()))

    def preferences_at(self, person: str, at: datetime) -> dict[str, Any] | None:
        """The borrower's last stated preferences before `at` (each statement replaces the one before)."""
        stated = [p for when, p in self.preferences.get(person, ()) if when < at]
        return stated[-1] if stated else None
