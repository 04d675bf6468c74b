"""What a case does when a fact that stops collection on it begins or ends.

A case is held while its person has an open complaint, its loan was paid up (until the day's end closes it),
its loan is in dispute with the merchant, or an agreement is in force on its loan (or, by policy, on another
loan of the customer). Whether any of them holds it is the rule book's to say (`rule_engine.collection_block`,
the same rules every decision and the last check before a send apply); several can hold one case at once, and
`waiting_for` names the first. A held case takes its step again once none is left.
"""
from datetime import datetime

from services.outreach.domain.model import Block
from services.outreach.domain.planning import CaseView, Plan, hold, waiting_for_rule
from services.outreach.domain.waiting import WaitingFor

HOLDS = frozenset({WaitingFor.COMPLAINT, WaitingFor.PAID_UP, WaitingFor.DISPUTE, WaitingFor.AGREEMENT})


def after_holds_changed(case: CaseView, block: Block | None, now: datetime) -> Plan | None:
    """`block`: the first objection of the rules about the case now. Held, the case waits for what lifts it,
    whatever it waited for before; held by nothing any more, it takes its step at once. None: nothing to change
    (it was not held and is not)."""
    if block is not None:
        return hold(case, None, waiting_for_rule(block.rule_id))
    if case.waiting_for in HOLDS:
        return Plan(None, None, None, case.step_index, case.step_attempts, now, None)
    return None
