"""Published events (decoded CloudEvents dicts, by topic kind) and outreach's stored attempts, to Facts.

Each event is read once (by envelope id), each attempt, visit check-in and outcome once (by its own id):
a redelivered message changes nothing. Times are the events' own facts (decided_at, checked_in_at,
opened_at, ...); the envelope's time only where the contract has none (an agreement broken, a visit
cancelled or missed, a cure, a contact update).
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from tools.conduct.attempts_table import StoredAttempt
from tools.conduct.facts import Facts, NumbersChange, Visit, VisitRequest
from tools.conduct.model import Attempt, Span

Events = dict[str, list[tuple[dict[str, Any], datetime]]]  # by type: (data, envelope time), in stream order
CLEARING = ("delinquency.loan_cured", "delinquency.loan_settled", "delinquency.loan_closed")


def instant(text: str | datetime) -> datetime:
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"an instant without an offset: {text!r}")
    return moment


def read(streams: Mapping[str, Iterable[dict[str, Any]]],
         stored: Mapping[str, StoredAttempt] | None = None) -> Facts:
    events: Events = defaultdict(list)
    seen: set[str] = set()
    for stream in streams.values():
        for event in stream:
            if event.get("id") is not None:
                if event["id"] in seen:
                    continue
                seen.add(event["id"])
            events[event["type"]].append((event["data"], instant(event["time"])))
    facts = Facts(stored=dict(stored or {}))
    for part in (_cases, _people, _preferences, _attempts, _visits, _spans, _cleared):
        part(facts, events)
    return facts


def _cases(facts: Facts, events: Events) -> None:
    for stream in events.values():
        for data, _ in stream:
            if data.get("case_id") and data.get("loan_id"):
                facts.loan_of_case.setdefault(data["case_id"], data["loan_id"])


def _people(facts: Facts, events: Events) -> None:
    for data, at in events["loan.originated"]:
        borrower = data["borrower"]
        person = borrower["customer_id"]
        facts.zones[person].append((at, borrower["time_zone"]))
        facts.numbers[person].append(NumbersChange(at, tuple(borrower["phones"]), tuple(
            c["phone"] for c in borrower.get("emergency_contacts") or ()), replaces_own=False))
    for data, at in events["customer.contact_updated"]:
        if data.get("time_zone"):
            facts.zones[data["customer_id"]].append((at, data["time_zone"]))
        if data.get("phones") is not None:
            facts.numbers[data["customer_id"]].append(NumbersChange(at, tuple(data["phones"]), (), replaces_own=True))
    known = set(facts.zones)
    for data, _ in events["outreach.visit_requested"]:  # the zone outreach knew: only for those without loan data
        if data["customer_id"] not in known:
            facts.zones[data["customer_id"]].append((instant(data["confirmed_at"]), data["time_zone"]))
    for zones in facts.zones.values():
        zones.sort(key=lambda change: change[0])
    for numbers in facts.numbers.values():
        numbers.sort(key=lambda change: change.at)


def _preferences(facts: Facts, events: Events) -> None:
    for data, _ in events["outreach.contact_preferences_changed"]:
        facts.preferences[data["customer_id"]].append((instant(data["changed_at"]), data))
    for stated in facts.preferences.values():
        stated.sort(key=lambda item: item[0])


def _attempts(facts: Facts, events: Events) -> None:
    outcomes: dict[str, tuple[str, datetime]] = {}
    for data, _ in events["outreach.contact_outcome_recorded"]:
        outcomes.setdefault(data["attempt_id"], (data["outcome"], instant(data["recorded_at"])))
    for kind in ("outreach.contact_attempted", "outreach.contact_blocked"):
        facts.decisions += [(kind, data) for data, _ in events[kind]]
    for data, _ in events["outreach.contact_attempted"]:
        if data["attempt_id"] in facts.attempts:
            continue
        row = facts.stored.get(data["attempt_id"])
        outcome, outcome_at = outcomes.get(data["attempt_id"], (None, None))
        if outcome is None and row is not None and row.outcome is not None:
            outcome, outcome_at = row.outcome, row.outcome_at
        facts.attempts[data["attempt_id"]] = Attempt(
            attempt_id=data["attempt_id"], person=data["customer_id"], channel=data["channel"],
            recipient=data["recipient"], case_id=data.get("case_id"), template_id=data.get("template_id"),
            decided_at=instant(data["decided_at"]), number=row.number if row else None,
            went_out=row is None or row.went_out is not False, sent_at=row.sent_at if row else None,
            outcome=outcome, outcome_at=outcome_at)


def _visits(facts: Facts, events: Events) -> None:
    for data, _ in events["outreach.visit_requested"]:
        facts.requests.setdefault(data["visit_request_id"], VisitRequest(
            data["visit_request_id"], data["customer_id"], data["time_zone"],
            (instant(data["window_start"]), instant(data["window_end"])), instant(data["confirmed_at"])))

    def visit(data: dict[str, Any]) -> Visit:
        return facts.visits.setdefault(data["visit_id"], Visit(data["visit_id"], data["customer_id"], data["case_id"],
                                                               data["loan_id"]))

    for data, _ in events["dispatch.visit_scheduled"]:
        visit(data).request_id = data["visit_request_id"]
        visit(data).window = (instant(data["window_start"]), instant(data["window_end"]))
        visit(data).decisions["schedule"] = (data.get("rule_id"), data.get("policy_version"))
    for kind in ("dispatch.visit_assigned", "dispatch.visit_reassigned"):
        for data, at in events[kind]:
            visit(data).assigned_at = min(filter(None, (visit(data).assigned_at, at)))
    for data, _ in events["dispatch.visit_checked_in"]:
        visit(data).checked_in_at = visit(data).checked_in_at or instant(data["checked_in_at"])
        visit(data).decisions["check_in"] = (data.get("rule_id"), data.get("policy_version"))
    over = [(data, instant(data["completed_at"])) for data, _ in events["dispatch.visit_completed"]]
    over += [(data, at) for data, at in events["dispatch.visit_missed"] if not data["replanned"]]
    for data, at in events["dispatch.visit_cancelled"]:
        visit(data).cancelled_at = visit(data).cancelled_at or at
        over.append((data, at))
    for data, at in over:
        visit(data).over_at = min(filter(None, (visit(data).over_at, at)))


def _spans(facts: Facts, events: Events) -> None:
    def spans(into: dict[str, list[Span]], opened: Iterable[tuple[str, str, datetime]],
              closed: Iterable[tuple[str, datetime]]) -> None:
        ends: dict[str, datetime] = {}
        for label, at in closed:
            ends[label] = min(at, ends.get(label, at))
        for key, label, at in opened:
            into[key].append(Span(at, ends.get(label), label))

    opened = events["outreach.complaint_opened"]
    spans(facts.complaints, [(d["customer_id"], d["complaint_id"], instant(d["opened_at"])) for d, _ in opened],
          [(d["complaint_id"], instant(d["resolved_at"])) for d, _ in events["outreach.complaint_resolved"]])
    spans(facts.disputes,
          [(d["loan_id"], d["dispute_id"], instant(d["at"])) for d, _ in events["delinquency.loan_dispute_opened"]],
          [(d["dispute_id"], instant(d["at"])) for d, _ in events["delinquency.loan_dispute_resolved"]])
    spans(facts.disputes,  # the loan system's own word, should overdue detection pass it on late or not at all
          [(d["loan_id"], d["dispute_id"], instant(d["disputed_at"])) for d, _ in events["loan.disputed"]],
          [(d["dispute_id"], instant(d["resolved_at"])) for d, _ in events["loan.dispute_resolved"]])
    ended = [(d["agreement_id"], at) for d, at in events["agreement.broken"]]
    ended += [(d["agreement_id"], instant(d["fulfilled_at"])) for d, _ in events["agreement.fulfilled"]]
    ended += [(d["agreement_id"], instant(d["ended_at"])) for d, _ in events["agreement.ended"]]
    spans(facts.agreements,
          [(d["loan_id"], d["agreement_id"], instant(d["signed_at"])) for d, _ in events["agreement.signed"]], ended)


def _cleared(facts: Facts, events: Events) -> None:
    """Per case, from the payment that cleared it (paid up, or the day-end cure, settlement or closure of its
    loan) until it became overdue again under the same case id."""
    timeline: dict[str, list[tuple[datetime, int, str, str | None]]] = defaultdict(list)  # by loan
    for data, at in events["delinquency.loan_became_overdue"]:
        timeline[data["loan_id"]].append((at, 0, "open", data["case_id"]))
    for data, _ in events["delinquency.loan_paid_up"]:
        timeline[data["loan_id"]].append((instant(data["paid_at"]), 1, "clear", data["case_id"]))
    for kind in CLEARING:  # the case it ends; without one, the loan's open case, whichever it is
        for data, at in events[kind]:
            timeline[data["loan_id"]].append((at, 1, "clear", data.get("case_id")))
    for happenings in timeline.values():
        current: str | None = None
        opened: set[str] = set()
        since: dict[str, datetime] = {}  # case -> cleared at, while cleared
        for at, _, what, case_id in sorted(happenings, key=lambda h: (h[0], h[1])):
            if what == "open" and case_id is not None:
                if case_id in since and case_id in opened:  # the same episode again (a payment reversed)
                    facts.cleared[case_id].append(Span(since.pop(case_id), at, case_id))
                opened.add(case_id)
                current = case_id
                continue
            target = case_id or current
            if target is not None and target not in since:
                since[target] = at
        for case_id, at in since.items():
            facts.cleared[case_id].append(Span(at, None, case_id))
