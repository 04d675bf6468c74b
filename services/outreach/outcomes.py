"""What came back: an attempt's outcome, a promise kept or broken, a visit time confirmed."""
from datetime import date, datetime, timedelta

import asyncpg

from services.outreach import metrics
from services.outreach.casework import choose_ladder, save, view
from services.outreach.context import Outreach
from services.outreach.domain.ladder import AttemptsExhausted, PromiseBroken, StepDone
from services.outreach.events_out import outreach_message
from services.outreach.planning import after_event
from services.outreach.store import cases, complaints, contacts, people, promises
from shared.db.outbox import OutboxMessage
from shared.events import outreach as contract
from shared.kafka.batch import AfterCommit

CONTACTED = {"delivered", "reached", "refused", "dispute"}
PROMISE_DAYS = 3


class OutcomeConflict(Exception):
    """The attempt already has a different outcome."""


async def record_outcome(conn: asyncpg.Connection, ctx: Outreach, attempt_id: str, outcome: str, at: datetime,
                         after: AfterCommit, promise: tuple[int, date] | None = None) -> list[OutboxMessage] | None:
    """None for an unknown attempt; [] when the same outcome was already recorded (a retried callback)."""
    attempt = await contacts.attempt(conn, attempt_id, lock=True)
    if attempt is None:
        return None
    if attempt["outcome"] is not None:
        if attempt["outcome"] != outcome:
            raise OutcomeConflict(attempt["outcome"])
        return []
    await contacts.set_outcome(conn, attempt_id, outcome, at)
    if outcome == "wrong_number":
        await people.mark_invalid(conn, attempt["customer_id"], attempt["destination"])
    after.append(lambda: metrics.OUTCOMES.labels(attempt["channel"], outcome, attempt["strategy_variant"]).inc())
    recorded = contract.ContactOutcomeRecorded(attempt_id=attempt_id, customer_id=attempt["customer_id"],
                                               case_id=attempt["case_id"], channel=attempt["channel"],
                                               outcome=outcome, recorded_at=at)
    messages = [outreach_message(recorded, topic=ctx.topic, key=attempt["customer_id"], time=at,
                                 cause=f"{attempt_id}:{outcome}")]
    case = await cases.case(conn, attempt["case_id"]) if attempt["case_id"] else None
    if case is None:
        return messages
    if outcome == "promise_to_pay":
        return messages + await _promise(conn, ctx, case, attempt_id, at, promise, after)
    if case.waiting_for != "outcome":
        return messages  # a late receipt: the case has moved on (a visit confirmed, a timeout) and stays
    if attempt["purpose"] == "visit_confirmation" and outcome == "delivered":
        await cases.save_step(conn, case.case_id, case.step_index, case.step_attempts, at + timedelta(days=1),
                              "visit_confirmation")
        return messages
    await save(conn, case.case_id, after_event(view(ctx, case), StepDone(contacted=outcome in CONTACTED), at))
    return messages


async def _promise(conn, ctx: Outreach, case, attempt_id: str, at: datetime, promise, after: AfterCommit):
    amount, due = promise or (case.overdue_amount, at.date() + timedelta(days=PROMISE_DAYS))
    promise_id = f"promise-{attempt_id}"
    await promises.add(conn, promise_id, case.case_id, case.customer_id, case.loan_id, max(amount, 1),
                       case.currency, due, at)
    wait_until = datetime.combine(due + timedelta(days=ctx.promise_grace_days + 1), datetime.min.time(), at.tzinfo)
    await cases.save_step(conn, case.case_id, case.step_index, case.step_attempts, wait_until, "promise")
    after.append(lambda: metrics.PROMISES.labels("made", case.variant).inc())
    data = contract.PromiseMade(promise_id=promise_id, customer_id=case.customer_id, case_id=case.case_id,
                                loan_id=case.loan_id, amount=max(amount, 1), currency=case.currency, due_date=due)
    return [outreach_message(data, topic=ctx.topic, key=case.customer_id, time=at, cause=promise_id)]


NO_FURTHER_VISITS_WITHOUT_A_PERSON = ("safety_incident", "conflict")
VISIT_RESULTS = ("dispatch.visit_scheduled", "dispatch.visit_completed", "dispatch.visit_unassignable",
                 "dispatch.visit_cancelled")


async def visit_result(conn: asyncpg.Connection, ctx: Outreach, event, at: datetime) -> None:
    """What dispatch reports back about the visit a case waits for moves it: done, or the visit failed."""
    if event.type == "dispatch.visit_scheduled":
        await cases.visit_scheduled(conn, event.data.case_id, event.data.visit_request_id, event.data.visit_id)
        return
    case = await cases.case(conn, event.data.case_id)
    if case is None or case.waiting_for != "visit" or case.awaited_visit_id != event.data.visit_id:
        return  # not the visit this case waits for (an earlier one reporting late, say)
    if event.type == "dispatch.visit_cancelled" and event.data.reason != "no_show_reported":
        return  # cancelled because the case itself ended or paused: nothing to climb
    outcome = event.data.outcome if event.type == "dispatch.visit_completed" else None
    if outcome in NO_FURTHER_VISITS_WITHOUT_A_PERSON:  # nobody is sent back to that door by a rule
        await cases.save_step(conn, case.case_id, case.step_index, case.step_attempts, None, "person")
        return
    if outcome == "moved":  # another visit to that address is pointless: on to the next step
        await save(conn, case.case_id, after_event(view(ctx, case), AttemptsExhausted(), at))
        return
    done = outcome in ("met_borrower", "negotiated")
    await save(conn, case.case_id, after_event(view(ctx, case), StepDone(contacted=done), at))


AGREEMENT_CHANGES = ("agreement.signed", "agreement.broken")


async def agreement_changed(conn: asyncpg.Connection, ctx: Outreach, event, at: datetime) -> None:
    """A signed agreement stops contact on the loan's open cases while it is in force; a broken one
    starts collection again, from the first step of the ladder the case's profile now selects."""
    if event.type == "agreement.signed":
        rows = await conn.fetch("SELECT case_id FROM cases WHERE loan_id = $1 AND status = 'open'",
                                event.data.loan_id)
        for row in rows:
            await cases.hold_for_agreement(conn, row["case_id"], event.data.agreement_id)
        return
    for case_id in await cases.cases_under_agreement(conn, event.data.agreement_id):
        case = await cases.case(conn, case_id)
        if case is not None:  # closed meanwhile: nothing to restart
            await restart_after_broken_agreement(conn, ctx, case, at)


async def restart_after_broken_agreement(conn: asyncpg.Connection, ctx: Outreach, case, at: datetime) -> None:
    """Collection starts again, on the ladder the case's profile now selects (broken promises count)."""
    await cases.count_broken_promise(conn, case.case_id)
    ladder = await choose_ladder(conn, ctx, case.variant, case.customer_id, case.bucket, case.risk_segment,
                                 case.overdue_amount, case.broken_promises + 1)
    await cases.restart(conn, case.case_id, ladder, at)
    if await complaints.still_open(conn, case.customer_id):  # the complaint's pause still holds
        await cases.save_step(conn, case.case_id, 0, 0, None, "complaint")


async def settle_promises(conn: asyncpg.Connection, ctx: Outreach, today: date, at: datetime,
                          after: AfterCommit) -> list[OutboxMessage]:
    messages = []
    for row in await promises.settle(conn, today, ctx.promise_grace_days):
        fields = dict(promise_id=row["promise_id"], customer_id=row["customer_id"], case_id=row["case_id"],
                      loan_id=row["loan_id"], amount=row["amount"], currency=row["currency"], due_date=row["due_date"])
        case = await cases.case(conn, row["case_id"])
        variant = case.variant if case else "champion"
        after.append(lambda status=row["status"], v=variant: metrics.PROMISES.labels(status, v).inc())
        if row["status"] == "kept":
            data = contract.PromiseKept(kept_on=today, **fields)
            event = StepDone(contacted=True)
        else:
            data = contract.PromiseBroken(paid_amount=row["paid_amount"], **fields)
            event = PromiseBroken()
            await cases.count_broken_promise(conn, row["case_id"])
        messages.append(outreach_message(data, topic=ctx.topic, key=row["customer_id"], time=at,
                                         cause=row["promise_id"]))
        if case is not None and case.waiting_for == "promise":  # not once an agreement or a restart took over
            await save(conn, case.case_id, after_event(view(ctx, case), event, at))
    return messages
