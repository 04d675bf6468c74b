"""What pauses a case whatever step it is on, and what a case does when one of those facts changes.

A case is held while its person has an open complaint, its loan was paid up (until the day's end closes it),
its loan is in dispute with the merchant, or an agreement is in force on its loan (or, by policy, on another
loan of the customer). Several can hold one case at once: `waiting_for` names the first of them in this order
(the order of the rule book), and a case goes on only once none is left. The rule book's case rules
(`rules_consent`) say the same at every decision and at the last check before a send.
"""
from dataclasses import dataclass
from datetime import datetime

from services.outreach.domain.planning import CaseView, Plan, hold
from services.outreach.domain.waiting import WaitingFor

HOLDS: tuple[WaitingFor, ...] = (WaitingFor.COMPLAINT, WaitingFor.PAID_UP, WaitingFor.DISPUTE, WaitingFor.AGREEMENT)


@dataclass(frozen=True)
class Holds:
    """The facts holding one case now."""

    complaint: bool = False
    paid_up: bool = False
    dispute: bool = False
    agreement: bool = False

    @property
    def first(self) -> WaitingFor | None:
        held = (self.complaint, self.paid_up, self.dispute, self.agreement)
        return next((waiting for waiting, on in zip(HOLDS, held) if on), None)


def after_holds_changed(case: CaseView, holds: Holds, now: datetime) -> Plan | None:
    """A fact that holds cases began or ended: the case waits for the first fact still holding it, or, held by
    none any more, takes its step at once (None: nothing to change, it was not held and is not)."""
    first = holds.first
    if first is not None:
        return hold(case, None, first)
    if case.waiting_for in HOLDS:
        return Plan(None, None, None, case.step_index, case.step_attempts, now, None)
    return None
