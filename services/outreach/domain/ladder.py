"""A case's walk up its strategy ladder: a small pure state machine.

The state is the ladder, the step the case is on and the tries made at it.
Events move it:

- StepDone(contacted=True): the step did its job (SMS delivered, borrower
  reached, visit done); the next step follows after its wait.
- StepDone(contacted=False) and VisitUnconfirmed (at a visit step): one more
  failed try; after the step's `max_attempts` tries, the next step.
- AttemptsExhausted: the next step at once.
- PromiseBroken: up the ladder, to the next step with a stronger action than
  the current one; with none left the ladder is finished, and the case waits
  for a person to decide rather than repeating what already failed.

Pausing while a promise is pending belongs to the promise tracker, not here.
"""
from dataclasses import dataclass, replace

from services.outreach.domain.strategy import Action, Ladder, Step

STRENGTH: dict[Action, int] = {"sms_reminder": 0, "call": 1, "visit": 2, "legal_referral": 3}


@dataclass(frozen=True)
class StepDone:
    contacted: bool


@dataclass(frozen=True)
class AttemptsExhausted:
    pass


@dataclass(frozen=True)
class PromiseBroken:
    pass


@dataclass(frozen=True)
class VisitUnconfirmed:
    pass


Event = StepDone | AttemptsExhausted | PromiseBroken | VisitUnconfirmed


@dataclass(frozen=True)
class CaseState:
    ladder: Ladder
    index: int = 0  # len(ladder.steps) once the ladder is finished
    attempts: int = 0  # failed tries at the current step

    @property
    def step(self) -> Step | None:
        return self.ladder.steps[self.index] if self.index < len(self.ladder.steps) else None


@dataclass(frozen=True)
class CaseStep:
    """The new state and what to do: `action` after `wait_days` (0 when trying the same step again)."""

    state: CaseState
    action: Action | None  # None: the ladder is finished
    wait_days: int = 0

    @property
    def finished(self) -> bool:
        return self.action is None


def start(ladder: Ladder) -> CaseStep:
    return _enter(CaseState(ladder), 0)


def next_step(state: CaseState, event: Event) -> CaseStep:
    current = state.step
    if current is None:
        return CaseStep(state, None)
    match event:
        case StepDone(contacted=True) | AttemptsExhausted():
            return _enter(state, state.index + 1)
        case StepDone(contacted=False):
            return _failed_try(state, current)
        case VisitUnconfirmed() if current.action == "visit":
            return _failed_try(state, current)
        case PromiseBroken():
            return _enter(state, _next_stronger(state, current))
    return CaseStep(state, current.action)  # an event about another step changes nothing


def _failed_try(state: CaseState, current: Step) -> CaseStep:
    tries = state.attempts + 1
    if tries >= current.max_attempts:
        return _enter(state, state.index + 1)
    return CaseStep(replace(state, attempts=tries), current.action)


def _enter(state: CaseState, index: int) -> CaseStep:
    entered = replace(state, index=min(index, len(state.ladder.steps)), attempts=0)
    step = entered.step
    return CaseStep(entered, step.action, step.wait_days) if step else CaseStep(entered, None)


def _next_stronger(state: CaseState, current: Step) -> int:
    later = enumerate(state.ladder.steps[state.index + 1:], start=state.index + 1)
    return next((i for i, s in later if STRENGTH[s.action] > STRENGTH[current.action]), len(state.ladder.steps))
