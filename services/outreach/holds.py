"""Facts that stop collection on a case whatever its step: a paid-up loan, a dispute with the merchant (and, in
`borrower_rights` and `agreements`, a complaint and an agreement in force).

When one begins or ends, `settle_holds` asks the rule book's case rules about each case concerned: a held case
has what it had queued cancelled (each attempt's final decision recorded with the rule) and its open visit-time
offer expired, and waits for what lifts the hold; a case no longer held by anything takes its step at once.
"""
from datetime import datetime

from services.outreach.casework import record_final_block, view
from services.outreach.context import Outreach
from services.outreach.domain.holds import after_holds_changed
from services.outreach.domain.model import Block, Decision
from services.outreach.domain.rule_engine import collection_block
from services.outreach.store import cases, contacts, disputes, people, promises, visits
from shared.db.tx import Tx
from shared.events.delinquency import DelinquencySnapshot, LoanDisputeChanged, LoanDisputeOpened, LoanPaidUp


async def settle_holds(tx: Tx, ctx: Outreach, case_ids: list[str], at: datetime) -> None:
    """The cases' holding facts may have changed: each is held, stopped and waiting, or let go."""
    if not case_ids:
        return
    held = await cases.cases(tx.conn, sorted(set(case_ids)))
    files = await people.people(tx.conn, sorted({case.customer_id for case in held}), at)
    for case in held:
        person = files.get(case.customer_id)
        if person is None:  # the borrower's data is not here yet: the case acts on nothing before it is
            continue
        block = collection_block(case.case_id, person.history, ctx.rulebook)
        if block is not None:
            await _stop(tx, ctx, case.case_id, block, at)
        plan = after_holds_changed(view(ctx, case), block, at)
        if plan is not None:
            await cases.save_plan(tx.conn, case.case_id, plan)


async def _stop(tx: Tx, ctx: Outreach, case_id: str, block: Block, at: datetime) -> None:
    decision = Decision(False, block.rule_id, ctx.rulebook.version)
    for attempt in await contacts.cancel_pending(tx.conn, [case_id]):
        await record_final_block(tx, attempt, decision, at)
    await visits.expire_open(tx.conn, [case_id])


async def paid_up(tx: Tx, ctx: Outreach, event: LoanPaidUp, at: datetime) -> None:
    """A payment cleared everything overdue: nothing more about the loan until the day's end closes its case
    (unless that payment was reversed, before or after this is heard)."""
    if await promises.reversed_payment(tx.conn, event.payment_id):
        return
    paid = await cases.mark_paid_up(tx.conn, event.loan_id, event.payment_id, event.paid_at)
    await settle_holds(tx, ctx, paid, at)


async def payments_reversed(tx: Tx, ctx: Outreach, payment_ids: list[str], at: datetime) -> None:
    """A reversed payment paid nothing up: the cases it had stopped go on (if nothing else holds them)."""
    await settle_holds(tx, ctx, await cases.lift_paid_up(tx.conn, payment_ids), at)


async def dispute_changed(tx: Tx, ctx: Outreach, event: LoanDisputeChanged, at: datetime) -> None:
    """A dispute of the loan's purchase opened or was resolved: its cases pause, or go on once none is open."""
    if isinstance(event, LoanDisputeOpened):
        await disputes.opened(tx.conn, event.loan_id, event.dispute_id, event.at)
    else:
        await disputes.resolved(tx.conn, event.loan_id, event.dispute_id, event.at)
    await settle_holds(tx, ctx, await cases.open_cases_of_loan(tx.conn, event.loan_id), at)


async def dispute_reported(tx: Tx, ctx: Outreach, snapshot: DelinquencySnapshot, at: datetime) -> None:
    """Every delinquency snapshot says whether the loan is in dispute: heard even if the dispute's own event
    was not (a case opened on a disputed loan starts paused)."""
    if await disputes.reported(tx.conn, snapshot.loan_id, snapshot.disputed, at):
        await settle_holds(tx, ctx, await cases.open_cases_of_loan(tx.conn, snapshot.loan_id), at)
