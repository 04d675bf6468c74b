"""What a case does next: the strategy picks the step, the rule book decides if it may happen, and what
comes back (an outcome, a visit report, a promise, silence) moves the ladder.

Pure: the case, the person's file and the time in; a plan out. The use cases store the plan.
"""
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from services.outreach.domain.ladder import (
    AttemptsExhausted,
    CaseState,
    CaseStep,
    Event,
    StepDone,
    VisitUnconfirmed,
    next_step,
)
from services.outreach.domain.model import ContactRequest, Decision, Person
from services.outreach.domain.rule_engine import collection_block, decide
from services.outreach.domain.rulebook import Channel, Purpose, RuleBook
from services.outreach.domain.strategy import Action, Ladder
from services.outreach.domain.waiting import WaitingFor
from services.outreach.domain.windows import start_of_day

OUTCOME_TIMEOUT = timedelta(days=1)  # no word from the gateway or dialer: try the step again
VISIT_CONFIRMATION_WAIT = timedelta(days=1)  # a delivered visit-time offer waits this long for an answer
RETRY_SAME_STEP = timedelta(hours=3)
CUSTOMER_DATA_RETRY = timedelta(hours=1)  # the borrower's data has not arrived, or planning failed on it
PROMISE_DAYS = 3  # a promise made without a date falls due this many days later
CONTACTED = frozenset({"delivered", "reached", "refused", "dispute"})  # outcomes that did the step's job
VISIT_DONE = frozenset({"met_borrower", "negotiated"})
NO_FURTHER_VISITS_WITHOUT_A_PERSON = frozenset({"safety_incident", "conflict"})
_IDS = uuid.UUID("0e6b1c7e-3f43-5a8d-9b1e-6d0f6c1f4a21")

TEMPLATE_IDS: dict[tuple[Action, str], str] = {  # (action, recipient) -> the template sent
    ("sms_reminder", "borrower"): "sms.reminder.zh",
    ("call", "borrower"): "call.collection.script",
    ("visit", "borrower"): "sms.visit_confirmation.zh",
    ("sms_reminder", "emergency_contact"): "third_party.locate.zh",
    ("call", "emergency_contact"): "third_party.locate.zh",
}

PURPOSES: dict[Action, Purpose] = {"sms_reminder": "reminder", "call": "collection", "visit": "visit_confirmation"}


@dataclass(frozen=True)
class CaseView:
    """What planning needs of a case: its ladder, the step it is on and what it waits for."""

    case_id: str
    customer_id: str
    ladder: Ladder | None
    step_index: int
    step_attempts: int
    waiting_for: WaitingFor | None = None
    under_agreement: bool = False


@dataclass(frozen=True)
class Plan:
    """`request`+`decision` when a contact was considered; `special` for a referral to legal services."""

    request: ContactRequest | None
    decision: Decision | None
    special: Literal["legal_referral"] | None
    step_index: int
    step_attempts: int
    next_action_at: datetime | None
    waiting_for: WaitingFor | None


def hold(case: CaseView, until: datetime | None, waiting_for: WaitingFor) -> Plan:
    """The case stays on its step and try, waiting for `waiting_for` (until `until`, if given)."""
    return Plan(None, None, None, case.step_index, case.step_attempts, until, waiting_for)


def plan_next(case: CaseView, person: Person, book: RuleBook, now: datetime) -> Plan:
    """A due case's step: a contact the rule book allows or blocks, a referral, or a wait for a person."""
    state = CaseState(case.ladder, case.step_index, case.step_attempts) if case.ladder else None
    step = state.step if state else None
    if state is None or step is None:
        return hold(case, None, WaitingFor.PERSON)
    if step.action == "legal_referral":
        if (block := collection_block(case.case_id, person.history, book)) is not None:
            return hold(case, None, waiting_for_rule(block.rule_id))  # no referral while collection is paused
        moved = _advance(state, StepDone(contacted=True), now)
        return replace(moved, special="legal_referral")
    request = _request(case, person, step.action)
    if request is None:
        return Plan(None, None, None, state.index, state.attempts, None, WaitingFor.PERSON)
    decision = decide(request, person.history, book, now)
    if decision.allowed:
        return Plan(request, decision, None, state.index, state.attempts, now + OUTCOME_TIMEOUT, WaitingFor.OUTCOME)
    return replace(after_block(case, decision), request=request, decision=decision)


def after_block(case: CaseView, decision: Decision) -> Plan:
    """A contact the rule book blocked (when decided, or at the last check before sending): the case stays on
    its step and try, until the earliest instant every rule allows, or until what only a person or a new fact
    lifts changes."""
    waiting = WaitingFor.RULE if decision.retry_at else waiting_for_rule(decision.rule_id)
    return Plan(None, None, None, case.step_index, case.step_attempts, decision.retry_at, waiting)


def timed_out(case: CaseView, now: datetime) -> Plan | None:
    """A due case that still waited for an answer got none in time: one failed try (None if it waited for
    nothing that times out)."""
    if case.waiting_for == WaitingFor.VISIT_CONFIRMATION:
        return after_event(case, VisitUnconfirmed(), now)
    if case.waiting_for in (WaitingFor.OUTCOME, WaitingFor.VISIT):
        return after_event(case, StepDone(contacted=False), now)
    return None


def after_outcome(case: CaseView, outcome: str, purpose: str, now: datetime) -> Plan:
    """An attempt's outcome; a delivered visit-time offer first waits for the borrower to pick a time."""
    if purpose == "visit_confirmation" and outcome == "delivered":
        return hold(case, now + VISIT_CONFIRMATION_WAIT, WaitingFor.VISIT_CONFIRMATION)
    return after_event(case, StepDone(contacted=outcome in CONTACTED), now)


def after_visit_report(case: CaseView, outcome: str | None, now: datetime) -> Plan:
    """Dispatch's report on the awaited visit: `outcome` of a completed visit, None when it was not made."""
    if outcome in NO_FURTHER_VISITS_WITHOUT_A_PERSON:  # nobody is sent back to that door by a rule
        return hold(case, None, WaitingFor.PERSON)
    if outcome == "moved":  # another visit to that address is pointless: on to the next step
        return after_event(case, AttemptsExhausted(), now)
    return after_event(case, StepDone(contacted=outcome in VISIT_DONE), now)


def promise_terms(promised: tuple[int, date] | None, overdue_amount: int, now: datetime) -> tuple[int, date]:
    """The amount and date promised; without terms, the overdue amount in PROMISE_DAYS days."""
    amount, due = promised or (overdue_amount, now.date() + timedelta(days=PROMISE_DAYS))
    return max(amount, 1), due


def promise_deadline(due: date, grace_days: int, zone: ZoneInfo) -> datetime:
    """Payments made from the promise up to this instant count toward it: the end of its due date plus the grace,
    on the portfolio's calendar. A promise not covered by then is broken by the tick that reaches it."""
    return start_of_day(due + timedelta(days=grace_days + 1), zone)


def while_promised(case: CaseView, deadline: datetime) -> Plan:
    """The case pauses until the promise's deadline, when the tick settles it."""
    return hold(case, deadline, WaitingFor.PROMISE)


def visit_offer_open(case: CaseView) -> bool:
    """A visit-time offer can still be taken up: the case is on the visit step that made it, waiting for
    the answer (or for the offer's delivery receipt), with no agreement in force."""
    steps = case.ladder.steps if case.ladder else ()
    on_visit = case.step_index < len(steps) and steps[case.step_index].action == "visit"
    return (on_visit and not case.under_agreement
            and case.waiting_for in (WaitingFor.VISIT_CONFIRMATION, WaitingFor.OUTCOME))


def after_event(case: CaseView, event: Event, now: datetime) -> Plan:
    """The case's next step once an outcome, a broken promise or an unconfirmed visit is known."""
    if case.ladder is None:
        return hold(case, None, WaitingFor.PERSON)
    return _advance(CaseState(case.ladder, case.step_index, case.step_attempts), event, now)


def _advance(state: CaseState, event: Event, now: datetime) -> Plan:
    moved: CaseStep = next_step(state, event)
    if moved.finished:
        return Plan(None, None, None, moved.state.index, moved.state.attempts, None, WaitingFor.PERSON)
    same_step = moved.state.index == state.index
    wait = RETRY_SAME_STEP if same_step else timedelta(days=moved.wait_days)
    return Plan(None, None, None, moved.state.index, moved.state.attempts, now + wait, None)


def _request(case: CaseView, person: Person, action: Action) -> ContactRequest | None:
    """Who is contacted and how: the borrower, or, only when unreachable, an emergency contact."""
    channel: Channel = "call" if action == "call" else "sms"
    valid = [n for n in person.borrower_numbers if n not in person.history.invalid_destinations]
    unreachable = not valid or person.history.failed_in_a_row() >= 3
    if unreachable and person.emergency_numbers and action != "visit":
        return ContactRequest(case.customer_id, case.case_id, channel, "emergency_contact",
                              person.emergency_numbers[0], "locate", TEMPLATE_IDS[(action, "emergency_contact")])
    if not valid:
        return None
    return ContactRequest(case.customer_id, case.case_id, channel, "borrower", valid[0], PURPOSES[action],
                          TEMPLATE_IDS[(action, "borrower")])


FACT_RULES: dict[str, WaitingFor] = {  # rule id prefix -> the fact whose change lifts the block
    "complaint.": WaitingFor.COMPLAINT, "loan.paid_up": WaitingFor.PAID_UP, "dispute.": WaitingFor.DISPUTE,
    "agreement.": WaitingFor.AGREEMENT, "preference.": WaitingFor.PREFERENCE,
}


def waiting_for_rule(rule_id: str) -> WaitingFor:
    """What must change before a case blocked by a rule without a retry time can go on; the use cases resume
    cases by this."""
    return next((waiting for prefix, waiting in FACT_RULES.items() if rule_id.startswith(prefix)), WaitingFor.PERSON)


def decision_id(case_id: str, now: datetime, rule_id: str) -> str:
    """Deterministic: the same due case at the same tick decides under the same id (replays dedupe)."""
    return str(uuid.uuid5(_IDS, f"decision:{case_id}:{now.isoformat()}:{rule_id}"))


def final_decision_id(attempt_id: str, rule_id: str) -> str:
    """The decision that an allowed attempt is not to be sent after all (an attempt is stopped once)."""
    return str(uuid.uuid5(_IDS, f"final:{attempt_id}:{rule_id}"))


def attempt_id(case_id: str, now: datetime) -> str:
    return str(uuid.uuid5(_IDS, f"attempt:{case_id}:{now.isoformat()}"))


def offer_id(attempt_id: str) -> str:
    """The visit-time offer an SMS attempt makes."""
    return f"offer-{attempt_id}"
