"""What came back: an attempt's outcome, a promise kept or broken, dispatch's report on a visit."""
from datetime import date, datetime
from typing import Any

from services.outreach import metrics
from services.outreach.casework import view
from services.outreach.context import Outreach
from services.outreach.domain.ladder import PromiseBroken, StepDone
from services.outreach.domain.planning import (
    after_event,
    after_outcome,
    after_visit_report,
    promise_deadline,
    promise_terms,
    while_promised,
)
from services.outreach.domain.waiting import WaitingFor
from services.outreach.store import cases, contacts, people, promises
from services.outreach.store.cases import CaseRow
from shared.db.tx import Tx
from shared.events import outreach as contract
from shared.refusal import Conflict, NotFound

VISIT_RESULTS = ("dispatch.visit_scheduled", "dispatch.visit_completed", "dispatch.visit_unassignable",
                 "dispatch.visit_cancelled")


async def record_outcome(tx: Tx, ctx: Outreach, attempt_id: str, outcome: str,
                         promise: tuple[int, date] | None = None) -> None:
    """The gateway's or dialer's report on an attempt, recorded once; the same report again changes nothing.

    Refuses an unknown attempt (not found) and a different outcome for one already reported (conflict)."""
    attempt = await contacts.attempt(tx.conn, attempt_id, lock=True)
    if attempt is None:
        raise NotFound("attempt_not_found", "no contact attempt with this id")
    if attempt["outcome"] is not None:
        if attempt["outcome"] != outcome:
            raise Conflict("outcome_conflict", "this attempt already has another outcome",
                           recorded=attempt["outcome"])
        return  # a retried callback
    at = tx.time
    await contacts.set_outcome(tx.conn, attempt_id, outcome, at)
    if outcome == "wrong_number":
        await people.mark_invalid(tx.conn, attempt["customer_id"], attempt["destination"])
    if attempt["channel"] == "call" and attempt["recipient"] == "borrower":
        await cases.wake_after_call_outcome(tx.conn, attempt["customer_id"], at)
    tx.on_commit(lambda: metrics.OUTCOMES.labels(attempt["channel"], outcome, attempt["strategy_variant"]).inc())
    tx.emit(contract.ContactOutcomeRecorded(attempt_id=attempt_id, customer_id=attempt["customer_id"],
                                            case_id=attempt["case_id"], channel=attempt["channel"],
                                            outcome=outcome, recorded_at=at),
            key=attempt["customer_id"], cause=f"{attempt_id}:{outcome}")
    case = await cases.case(tx.conn, attempt["case_id"]) if attempt["case_id"] else None
    if case is None:
        return
    if outcome == "promise_to_pay":
        await _promise(tx, ctx, case, attempt_id, promise)
        return
    if case.waiting_for != WaitingFor.OUTCOME:
        return  # a late receipt: the case has moved on (a visit confirmed, a timeout) and stays
    await cases.save_plan(tx.conn, case.case_id, after_outcome(view(ctx, case), outcome, attempt["purpose"], at))


async def _promise(tx: Tx, ctx: Outreach, case: CaseRow, attempt_id: str, promised: tuple[int, date] | None) -> None:
    at = tx.time
    amount, due = promise_terms(promised, case.overdue_amount, at)
    promise_id = f"promise-{attempt_id}"
    deadline = promise_deadline(due, ctx.promise_grace_days, ctx.zone)
    await promises.add(tx.conn, promise_id, case.case_id, case.customer_id, case.loan_id, amount, case.currency,
                       due, at, deadline)
    await cases.save_plan(tx.conn, case.case_id, while_promised(view(ctx, case), deadline))
    tx.on_commit(lambda: metrics.PROMISES.labels("made", case.variant).inc())
    tx.emit(contract.PromiseMade(promise_id=promise_id, customer_id=case.customer_id, case_id=case.case_id,
                                 loan_id=case.loan_id, amount=amount, currency=case.currency, due_date=due),
            key=case.customer_id, cause=promise_id)


async def settle_promises(tx: Tx, ctx: Outreach, today: date) -> None:
    """Open promises decided by `today`: kept (the case's step is done) or broken (up the ladder)."""
    at = tx.time
    for row in await promises.settle(tx.conn, today, ctx.promise_grace_days):
        fields = dict(promise_id=row["promise_id"], customer_id=row["customer_id"], case_id=row["case_id"],
                      loan_id=row["loan_id"], amount=row["amount"], currency=row["currency"], due_date=row["due_date"])
        case = await cases.case(tx.conn, row["case_id"])
        variant = case.variant if case else "champion"
        tx.on_commit(lambda status=row["status"], v=variant: metrics.PROMISES.labels(status, v).inc())
        data: contract.PromiseKept | contract.PromiseBroken
        if row["status"] == "kept":
            data, event = contract.PromiseKept(kept_on=today, **fields), StepDone(contacted=True)
        else:
            data, event = contract.PromiseBroken(paid_amount=row["paid_amount"], **fields), PromiseBroken()
            await cases.count_broken_promise(tx.conn, row["case_id"])
        tx.emit(data, key=row["customer_id"], cause=row["promise_id"])
        if case is not None and case.waiting_for == WaitingFor.PROMISE:  # not once an agreement or restart took over
            await cases.save_plan(tx.conn, case.case_id, after_event(view(ctx, case), event, at))


async def visit_result(tx: Tx, ctx: Outreach, event_type: str, data: Any, at: datetime) -> None:
    """What dispatch reports back about the visit a case waits for moves it: done, or the visit failed."""
    if event_type == "dispatch.visit_scheduled":
        await cases.visit_scheduled(tx.conn, data.case_id, data.visit_request_id, data.visit_id)
        return
    case = await cases.case(tx.conn, data.case_id)
    if case is None or case.waiting_for != WaitingFor.VISIT or case.awaited_visit_id != data.visit_id:
        return  # not the visit this case waits for (an earlier one reporting late, say)
    if event_type == "dispatch.visit_cancelled" and data.reason != "no_show_reported":
        return  # cancelled because the case itself ended or paused: nothing to climb
    outcome = data.outcome if event_type == "dispatch.visit_completed" else None
    await cases.save_plan(tx.conn, case.case_id, after_visit_report(view(ctx, case), outcome, at))
