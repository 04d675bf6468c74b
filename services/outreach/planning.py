"""What a due case does next: the strategy picks the step, the rule book decides if it may happen.

Pure: the case, the person's file and the time in; a plan out. The store applies the plan.
"""
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.outreach.domain.ladder import CaseState, CaseStep, Event, StepDone, next_step
from services.outreach.domain.model import ContactRequest, Decision, PersonHistory
from services.outreach.domain.policy import RuleBook
from services.outreach.domain.rulebook import decide
from services.outreach.domain.strategy import Ladder

OUTCOME_TIMEOUT = timedelta(days=1)  # no word from the gateway or dialer: try the step again
RETRY_SAME_STEP = timedelta(hours=3)
_IDS = uuid.UUID("0e6b1c7e-3f43-5a8d-9b1e-6d0f6c1f4a21")

TEMPLATES = {
    ("sms_reminder", "borrower"): "sms.reminder.zh",
    ("call", "borrower"): "call.collection.script",
    ("visit", "borrower"): "sms.visit_confirmation.zh",
    ("sms_reminder", "emergency_contact"): "third_party.locate.zh",
    ("call", "emergency_contact"): "third_party.locate.zh",
}


@dataclass(frozen=True)
class CaseView:
    case_id: str
    customer_id: str
    ladder: Ladder | None
    step_index: int
    step_attempts: int


@dataclass(frozen=True)
class Person:
    history: PersonHistory
    borrower_numbers: tuple[str, ...]  # valid ones first
    emergency_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """`request`+`decision` when a contact was considered; `special` for visit offers and referrals."""

    request: ContactRequest | None
    decision: Decision | None
    special: str | None  # "legal_referral" | None
    step_index: int
    step_attempts: int
    next_action_at: datetime | None
    waiting_for: str | None  # "outcome" | "rule" | "person" | None


def plan_next(case: CaseView, person: Person, book: RuleBook, now: datetime) -> Plan:
    state = CaseState(case.ladder, case.step_index, case.step_attempts) if case.ladder else None
    step = state.step if state else None
    if step is None:
        return Plan(None, None, None, case.step_index, case.step_attempts, None, "person")
    if step.action == "legal_referral":
        moved = _advance(state, StepDone(contacted=True), now)
        return replace(moved, special="legal_referral")
    request = _request(case, person, step.action)
    if request is None:
        return Plan(None, None, None, state.index, state.attempts, None, "person")
    decision = decide(request, person.history, book, now)
    if decision.allowed:
        return Plan(request, decision, None, state.index, state.attempts, now + OUTCOME_TIMEOUT, "outcome")
    waiting = "rule" if decision.retry_at else _waiting_for_person(decision.rule_id)
    return Plan(request, decision, None, state.index, state.attempts, decision.retry_at, waiting)


def after_event(case: CaseView, event: Event, now: datetime) -> Plan:
    """The case's next step once an outcome, a broken promise or an unconfirmed visit is known."""
    if case.ladder is None:
        return Plan(None, None, None, case.step_index, case.step_attempts, None, "person")
    return _advance(CaseState(case.ladder, case.step_index, case.step_attempts), event, now)


def _advance(state: CaseState, event: Event, now: datetime) -> Plan:
    moved: CaseStep = next_step(state, event)
    if moved.finished:
        return Plan(None, None, None, moved.state.index, moved.state.attempts, None, "person")
    same_step = moved.state.index == state.index
    wait = RETRY_SAME_STEP if same_step else timedelta(days=moved.wait_days)
    return Plan(None, None, None, moved.state.index, moved.state.attempts, now + wait, None)


def _request(case: CaseView, person: Person, action: str) -> ContactRequest | None:
    """Who is contacted and how: the borrower, or, only when unreachable, an emergency contact."""
    channel = "call" if action == "call" else "sms"
    valid = [n for n in person.borrower_numbers if n not in person.history.invalid_destinations]
    unreachable = not valid or person.history.failed_in_a_row() >= 3
    if unreachable and person.emergency_numbers and action != "visit":
        return ContactRequest(case.customer_id, case.case_id, channel, "emergency_contact",
                              person.emergency_numbers[0], "locate", TEMPLATES[(action, "emergency_contact")])
    if not valid:
        return None
    purpose = {"sms_reminder": "reminder", "call": "collection", "visit": "visit_confirmation"}[action]
    return ContactRequest(case.customer_id, case.case_id, channel, "borrower", valid[0], purpose,
                          TEMPLATES[(action, "borrower")])


def _waiting_for_person(rule_id: str) -> str:
    """What must change before a blocked case can go on; the store resumes cases by this."""
    if rule_id == "complaint.open":
        return "complaint"
    return "preference" if rule_id.startswith("preference.") else "person"


def decision_id(case_id: str, now: datetime, rule_id: str) -> str:
    """Deterministic: the same due case at the same tick decides under the same id (replays dedupe)."""
    return str(uuid.uuid5(_IDS, f"decision:{case_id}:{now.isoformat()}:{rule_id}"))


def attempt_id(case_id: str, now: datetime) -> str:
    return str(uuid.uuid5(_IDS, f"attempt:{case_id}:{now.isoformat()}"))
