"""Rules of the record: every contact decision published with its rule id and the rule book's policy
version, every attempt that went out published as a decision, every visit matched by one."""
from collections.abc import Iterator
from datetime import UTC, datetime

from tools.conduct.facts import Facts
from tools.conduct.model import Breach
from tools.conduct.reading import instant
from tools.conduct.rulebook import Book

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
    """A visit is a contact decision like a message: dispatch records one, allowed, with a rule id and
    a policy version, when it schedules a visit it then assigns, and again at the check-in (one breach
    per visit, at its first stage without one)."""
    for visit in sorted(facts.visits.values(), key=lambda v: v.visit_id):
        stages = [("schedule", visit.assigned_at)] if visit.assigned_at is not None else []
        stages += [("check_in", visit.checked_in_at)] if visit.checked_in_at is not None else []
        for stage, at in stages:
            rule, version = visit.decisions.get(stage, (None, None))
            if rule != "allowed" or not version:
                yield Breach("visit_without_decision", visit.person, visit.loan_id, at or UNKNOWN_TIME,
                             f"visit {visit.visit_id} of case {visit.case_id}: {stage} decision {rule!r}, "
                             f"policy version {version!r}")
                break  # one breach per visit
