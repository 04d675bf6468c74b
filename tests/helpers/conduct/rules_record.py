"""Rules of the record: every contact decision published with its rule id and the rule book's policy
version, every attempt that went out published as a decision, every visit matched by one."""
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

from tests.helpers.conduct.facts import Facts, Visit
from tests.helpers.conduct.model import Breach
from tests.helpers.conduct.reading import instant
from tests.helpers.conduct.rulebook import Book

UNKNOWN_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # a table without times: the breach still counts


def decisions(facts: Facts, book: Book) -> Iterator[Breach]:
    for kind, data in facts.decisions:
        ref, at = data.get("attempt_id") or data.get("decision_id"), instant(data["decided_at"])
        rule_id, version = data.get("rule_id"), data.get("policy_version")
        if not rule_id or not version or version not in book.versions:
            yield Breach("decision_incomplete", data["customer_id"], None, at,
                         f"{kind} {ref}: rule id {rule_id!r}, policy version {version!r}")
        if kind == "outreach.contact_attempted" and rule_id and rule_id != "allowed":
            yield Breach("attempt_not_allowed", data["customer_id"], None, at, f"attempt {ref} under rule {rule_id}")
    for attempt_id, row in facts.stored.items():
        if attempt_id not in facts.attempts and row.went_out is not False:
            at = row.sent_at or row.decided_at or UNKNOWN_TIME
            yield Breach("attempt_without_decision", row.person or "unknown", row.number, at,
                         f"{row.channel} {attempt_id} in outreach's table, never published")


def visits_decided(facts: Facts, book: Book) -> Iterator[Breach]:
    """Each assigned or checked-in visit takes its own allowed visit decision on its case, decided by its
    check-in (or, not checked in, by its window's end)."""
    decided: dict[tuple[str, str | None], list[datetime]] = defaultdict(list)
    for attempt in facts.attempts.values():
        if attempt.channel == "visit":
            decided[(attempt.person, attempt.case_id)].append(attempt.decided_at)
    used: dict[tuple[str, str | None], int] = defaultdict(int)
    for visit, deadline in sorted(_visits_to_match(facts), key=lambda pair: (pair[1], pair[0].visit_id)):
        key = (visit.person, visit.case_id)
        pool = sorted(decided[key])
        if used[key] < len(pool) and pool[used[key]] <= deadline:
            used[key] += 1
            continue
        yield Breach("visit_without_decision", visit.person, visit.loan_id, visit.checked_in_at or deadline,
                     f"visit {visit.visit_id} of case {visit.case_id} "
                     f"{'checked in' if visit.checked_in_at else 'assigned'} with no visit decision recorded")


def _visits_to_match(facts: Facts) -> Iterator[tuple[Visit, datetime]]:
    for visit in facts.visits.values():
        if visit.checked_in_at is not None:
            yield visit, visit.checked_in_at
        elif visit.assigned_at is not None:
            yield visit, visit.window[1] if visit.window else visit.assigned_at
