"""Cases: taken up when a loan becomes overdue, followed, closed; and each due case's next step.

A due case's step is planned by the pure rules (`domain/planning.py`); this records the decision, the
attempt and the events, in the tick's unit of work.
"""
import logging
from datetime import datetime

import asyncpg

from services.outreach import metrics
from services.outreach.context import Outreach
from services.outreach.domain.messages import Debt, message_text, visit_slots
from services.outreach.domain.model import Attempt, ContactRequest, Decision, Person
from services.outreach.domain.planning import (
    CUSTOMER_DATA_RETRY,
    CaseView,
    Plan,
    attempt_id,
    decision_id,
    final_decision_id,
    hold,
    offer_id,
    plan_next,
    timed_out,
)
from services.outreach.domain.strategy import CaseProfile, Variant
from services.outreach.domain.waiting import WaitingFor
from services.outreach.store import agreements, cases, contacts, people, visits
from services.outreach.store.cases import CaseRow
from shared.db.tx import Tx
from shared.events import outreach as contract
from shared.events.delinquency import DelinquencySnapshot, RiskSegment

log = logging.getLogger(__name__)


async def take_up(tx: Tx, ctx: Outreach, overdue: DelinquencySnapshot, at: datetime) -> None:
    """A loan became overdue: its case opens (once), due at `at`, on the ladder its variant's strategy picks."""
    variant = ctx.strategy.variant_of(overdue.case_id)
    ladder = await choose_ladder(tx, ctx, variant, overdue.customer_id, overdue.bucket, overdue.risk_segment,
                                 overdue.overdue_amount, 0)
    if await cases.open_case(tx.conn, overdue, variant, ladder, at):
        tx.on_commit(lambda: metrics.CASES_OPENED.labels(variant).inc())
        if (agreement_id := await agreements.in_force_on_loan(tx.conn, overdue.loan_id)) is not None:
            # held from the start: its first step finds the agreement in force, and that block is recorded
            await cases.held_by_agreement(tx.conn, [overdue.case_id], agreement_id)


async def refresh(tx: Tx, change: DelinquencySnapshot) -> None:
    """The loan moved to another bucket: the case's snapshot follows (its ladder does not change)."""
    await cases.refresh_case(tx.conn, change)


async def close_cases(tx: Tx, loan_id: str, reason: str, at: datetime) -> None:
    """The loan was cured, settled or closed: its open case closes and what it had not sent is cancelled."""
    closed = await cases.close_cases_of_loan(tx.conn, loan_id, reason, at)
    tx.on_commit(lambda: metrics.CASES_CLOSED.labels(reason).inc(len(closed)))


async def choose_ladder(tx: Tx, ctx: Outreach, variant: Variant, customer_id: str, bucket: str | None,
                        risk_segment: RiskSegment, overdue_amount: int, broken_promises: int) -> str | None:
    """The ladder the strategy picks for a case from its data (at opening, and again after a broken agreement)."""
    reachable = await people.reachable(tx.conn, customer_id)
    profile = CaseProfile(bucket or "", risk_segment, overdue_amount,
                          "reachable" if reachable else "unreachable", broken_promises)
    ladder = ctx.strategy.ladder_for(variant, profile)
    return ladder.name if ladder else None


def view(ctx: Outreach, case: CaseRow) -> CaseView:
    return CaseView(case.case_id, case.customer_id, ctx.ladder(case.variant, case.ladder), case.step_index,
                    case.step_attempts, case.waiting_for, case.agreement_id is not None)


async def act_on_due_cases(tx: Tx, ctx: Outreach) -> None:
    """Every case whose next action is due (at most `due_cases_per_tick`) takes its step."""
    now = tx.time
    due = await cases.due_cases(tx.conn, now, ctx.due_cases_per_tick)
    files = await people.people(tx.conn, sorted({case.customer_id for case in due}), now)
    for case in due:
        person = files.get(case.customer_id)
        if person is None:  # the loan's borrower data has not arrived yet
            await cases.save_plan(tx.conn, case.case_id, hold(view(ctx, case), now + CUSTOMER_DATA_RETRY,
                                                              WaitingFor.CUSTOMER_DATA))
            continue
        if (plan := timed_out(view(ctx, case), now)) is not None:  # nothing came back in time
            await cases.save_plan(tx.conn, case.case_id, plan)
            continue
        try:
            plan = plan_next(view(ctx, case), person, ctx.rulebook, now)
        except Exception:  # noqa: BLE001 - one case's bad data must not stop every other case
            log.exception("case could not be planned; retried later", extra={"case": case.case_id})
            await cases.save_plan(tx.conn, case.case_id, hold(view(ctx, case), now + CUSTOMER_DATA_RETRY,
                                                              WaitingFor.ERROR))
            continue
        try:
            async with tx.savepoint():
                await _apply(tx, ctx, case, person, plan)
        except Exception as error:  # noqa: BLE001 - one case must never stop the tick for every other case
            log.error("case could not take its step; set aside for a person",
                      extra={"case": case.case_id, "error": type(error).__name__})
            await cases.save_plan(tx.conn, case.case_id, hold(view(ctx, case), now + CUSTOMER_DATA_RETRY,
                                                              WaitingFor.ERROR))
            continue
        if plan.request is not None and plan.decision is not None and plan.decision.allowed:
            # the person's other cases this tick see this attempt
            attempt = Attempt(plan.request.channel, plan.request.destination, plan.request.recipient, now)
            files[case.customer_id] = person.with_attempt(attempt)


async def _apply(tx: Tx, ctx: Outreach, case: CaseRow, person: Person, plan: Plan) -> None:
    now = tx.time
    await cases.save_plan(tx.conn, case.case_id, plan)
    if plan.special == "legal_referral":
        tx.on_commit(lambda: metrics.LEGAL_REFERRALS.labels(case.variant).inc())
        tx.emit(contract.LegalReferralMade(referral_id=f"referral-{case.case_id}", case_id=case.case_id,
                                           loan_id=case.loan_id, customer_id=case.customer_id,
                                           overdue_amount=case.overdue_amount, currency=case.currency,
                                           days_past_due=case.days_past_due),
                key=case.customer_id, cause=f"referral:{case.case_id}")
        return
    request, decision = plan.request, plan.decision
    if request is None or decision is None:
        return
    decided = decision_id(case.case_id, now, decision.rule_id)
    await contacts.record_decision(tx.conn, decided, request, decision, case.variant, now)
    common = dict(customer_id=case.customer_id, case_id=case.case_id, channel=request.channel,
                  recipient=request.recipient, rule_id=decision.rule_id, policy_version=decision.policy_version,
                  strategy_variant=case.variant, decided_at=now)
    if not decision.allowed:
        tx.on_commit(lambda: metrics.CONTACTS_BLOCKED.labels(request.channel, decision.rule_id).inc())
        tx.emit(contract.ContactBlocked(decision_id=decided, retry_at=decision.retry_at, **common),
                key=case.customer_id, cause=decided)
        return
    attempt = attempt_id(case.case_id, now)
    text = await _text(tx, ctx, case, request, person, attempt)
    await contacts.record_attempt(tx.conn, attempt, request, text, case.variant, decision.policy_version, now)
    tx.on_commit(lambda: metrics.CONTACT_ATTEMPTS.labels(request.channel, request.recipient, case.variant).inc())
    tx.emit(contract.ContactAttempted(attempt_id=attempt, template_id=request.template_id, **common),
            key=case.customer_id, cause=attempt)


async def _text(tx: Tx, ctx: Outreach, case: CaseRow, request: ContactRequest, person: Person,
                attempt: str) -> str | None:
    """An SMS's text (with the visit-time offer it makes, if any); None for a call, which follows the
    dialer's script."""
    if request.channel != "sms" or request.template_id is None:
        return None
    now, zone = tx.time, person.history.zone
    loan = await people.loan_contact(tx.conn, case.loan_id)
    slots = visit_slots(now, zone) if request.purpose == "visit_confirmation" else []
    if slots:
        await visits.offer(tx.conn, offer_id(attempt), case.case_id, case.customer_id, slots, now)
    debt = Debt(loan.first_name if loan else "", loan.product if loan else "", case.overdue_amount, case.currency,
                case.days_past_due, case.as_of)
    return message_text(request.template_id, request.recipient, ctx.callback_number, debt, slots, zone, now)


async def record_final_block(tx: Tx, attempt: asyncpg.Record, decision: Decision, at: datetime) -> None:
    """An allowed attempt that will never be sent: the decision that stopped it (the rule, the policy version of
    now) is recorded against it and announced like every block."""
    decided = final_decision_id(attempt["attempt_id"], decision.rule_id)
    if not await contacts.record_final_decision(tx.conn, decided, attempt, decision, at):
        return
    tx.on_commit(lambda: metrics.CONTACTS_BLOCKED.labels(attempt["channel"], decision.rule_id).inc())
    tx.emit(contract.ContactBlocked(
        decision_id=decided, retry_at=decision.retry_at, customer_id=attempt["customer_id"],
        case_id=attempt["case_id"], channel=attempt["channel"], recipient=attempt["recipient"],
        rule_id=decision.rule_id, policy_version=decision.policy_version,
        strategy_variant=attempt["strategy_variant"], decided_at=at,
    ), key=attempt["customer_id"], cause=decided, time=at)
