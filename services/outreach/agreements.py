"""Agreements as agreement tracking announces them: in force from signing until broken, fulfilled or ended.

An agreement in force holds every case of its loan, those open at signing and those opened after it (and, when
the rule book's `agreement.holds_other_loans` says so, the customer's other loans): the rule book blocks every
contact about them with `agreement.in_force` (`agreement.other_loan`), and `holds.settle_holds` pauses them.
A broken agreement restarts the cases of its loan, one broken promise more; a fulfilled or ended one lets them go
on where they were.
"""
from datetime import datetime

from services.outreach.casework import choose_ladder
from services.outreach.context import Outreach
from services.outreach.holds import settle_holds
from services.outreach.store import agreements, cases
from services.outreach.store.agreements import Ending
from services.outreach.store.cases import CaseRow
from shared.db.tx import Tx
from shared.events.agreement import AgreementRef, AgreementSigned


async def agreement_signed(tx: Tx, ctx: Outreach, signed: AgreementSigned, at: datetime) -> None:
    """In force (unless its end was heard first): the loan's open cases are its own, and every case it holds
    stops."""
    if not await agreements.signed(tx.conn, signed.agreement_id, signed.loan_id, signed.customer_id,
                                   signed.signed_at):
        return
    await cases.held_by_agreement(tx.conn, await cases.open_cases_of_loan(tx.conn, signed.loan_id),
                                  signed.agreement_id)
    await settle_holds(tx, ctx, await cases.open_cases_of_customer(tx.conn, signed.customer_id), at)


async def agreement_ended(tx: Tx, ctx: Outreach, ended: AgreementRef, how: Ending, at: datetime) -> None:
    """No longer in force: broken, its loan's cases start collection again from the ladder their profile now
    selects; fulfilled or ended, they go on where they were (if nothing else holds them)."""
    await agreements.ended(tx.conn, ended.agreement_id, ended.loan_id, ended.customer_id, how, at)
    if how == "broken":
        for case in await cases.cases(tx.conn, await cases.cases_under_agreement(tx.conn, ended.agreement_id)):
            await restart_after_broken_agreement(tx, ctx, case, at)
    else:
        await cases.release_from_agreement(tx.conn, ended.agreement_id)
    await settle_holds(tx, ctx, await cases.open_cases_of_customer(tx.conn, ended.customer_id), at)


async def restart_after_broken_agreement(tx: Tx, ctx: Outreach, case: CaseRow, at: datetime) -> None:
    """Collection starts again, on the ladder the case's profile now selects (broken promises count)."""
    await cases.count_broken_promise(tx.conn, case.case_id)
    ladder = await choose_ladder(tx, ctx, case.variant, case.customer_id, case.bucket, case.risk_segment,
                                 case.overdue_amount, case.broken_promises + 1)
    await cases.restart(tx.conn, case.case_id, ladder, at)
