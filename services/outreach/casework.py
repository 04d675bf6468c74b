"""A due case takes its next step: plan it (pure), then record the decision, the attempt and the events."""
import logging
from datetime import datetime, timedelta

import asyncpg

from services.outreach import metrics
from services.outreach.context import Outreach
from services.outreach.domain.catalog import TEMPLATES
from services.outreach.domain.ladder import StepDone, VisitUnconfirmed
from services.outreach.domain.model import Attempt, ContactRequest
from services.outreach.domain.strategy import CaseProfile, Variant
from services.outreach.events_out import outreach_message
from services.outreach.messages import message_text, visit_slots
from services.outreach.planning import CaseView, Person, Plan, after_event, attempt_id, decision_id, plan_next
from services.outreach.store import cases, contacts, people, visits
from services.outreach.store.cases import CaseRow
from shared.db.outbox import OutboxMessage
from shared.events import outreach as contract
from shared.kafka.batch import AfterCommit

log = logging.getLogger(__name__)
CUSTOMER_DATA_RETRY = timedelta(hours=1)


async def choose_ladder(conn: asyncpg.Connection, ctx: Outreach, variant: Variant, customer_id: str, bucket: str | None,
                        risk_segment: str, overdue_amount, broken_promises: int) -> str | None:
    """The ladder the strategy picks for a case from its data (at opening, and again after a broken agreement)."""
    reachable = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM contact_points WHERE customer_id = $1"
                                    " AND kind = 'borrower' AND NOT invalid)", customer_id)
    profile = CaseProfile(bucket or "", risk_segment, overdue_amount,
                          "reachable" if reachable else "unreachable", broken_promises)
    ladder = ctx.strategy.ladder_for(variant, profile)
    return ladder.name if ladder else None


def view(ctx: Outreach, case: CaseRow) -> CaseView:
    return CaseView(case.case_id, case.customer_id, ctx.ladder(case.variant, case.ladder), case.step_index,
                    case.step_attempts)


async def act_on_due_cases(conn: asyncpg.Connection, ctx: Outreach, now: datetime,
                           after: AfterCommit) -> list[OutboxMessage]:
    due = await cases.due_cases(conn, now, ctx.due_cases_per_tick)
    files = await people.people(conn, sorted({case.customer_id for case in due}), now)
    messages: list[OutboxMessage] = []
    for case in due:
        person = files.get(case.customer_id)
        if person is None:  # the loan's borrower data has not arrived yet
            await cases.save_step(conn, case.case_id, case.step_index, case.step_attempts,
                                  now + CUSTOMER_DATA_RETRY, "customer_data")
            continue
        if case.waiting_for in ("outcome", "visit_confirmation", "visit"):  # nothing came back in time
            event = VisitUnconfirmed() if case.waiting_for == "visit_confirmation" else StepDone(contacted=False)
            await save(conn, case.case_id, after_event(view(ctx, case), event, now))
            continue
        try:
            plan = plan_next(view(ctx, case), person, ctx.rulebook, now)
        except Exception:  # noqa: BLE001 - one case's bad data must not stop every other case
            log.exception("case could not be planned; retried later", extra={"case": case.case_id})
            await cases.save_step(conn, case.case_id, case.step_index, case.step_attempts,
                                  now + CUSTOMER_DATA_RETRY, "error")
            continue
        messages += await _apply(conn, ctx, case, person, plan, now, after)
        if plan.decision and plan.decision.allowed:  # the person's other cases this tick see this attempt
            request = plan.request
            files[case.customer_id] = _with_attempt(person, request, now)
    return messages


async def save(conn: asyncpg.Connection, case_id: str, plan: Plan) -> None:
    await cases.save_step(conn, case_id, plan.step_index, plan.step_attempts, plan.next_action_at, plan.waiting_for)


async def _apply(conn, ctx: Outreach, case: CaseRow, person: Person, plan: Plan, now: datetime,
                 after: AfterCommit) -> list[OutboxMessage]:
    await save(conn, case.case_id, plan)
    if plan.special == "legal_referral":
        after.append(lambda: metrics.LEGAL_REFERRALS.labels(case.variant).inc())
        data = contract.LegalReferralMade(referral_id=f"referral-{case.case_id}", case_id=case.case_id,
                                          loan_id=case.loan_id, customer_id=case.customer_id,
                                          overdue_amount=case.overdue_amount, currency=case.currency,
                                          days_past_due=case.days_past_due)
        return [_message(ctx, data, case, now, f"referral:{case.case_id}")]
    if plan.request is None:
        return []
    request, decision = plan.request, plan.decision
    decided = decision_id(case.case_id, now, decision.rule_id)
    await contacts.record_decision(conn, decided, request, decision, case.variant, now)
    common = dict(customer_id=case.customer_id, case_id=case.case_id, channel=request.channel,
                  recipient=request.recipient, rule_id=decision.rule_id, policy_version=decision.policy_version,
                  strategy_variant=case.variant, decided_at=now)
    if not decision.allowed:
        after.append(lambda: metrics.CONTACTS_BLOCKED.labels(request.channel, decision.rule_id).inc())
        data = contract.ContactBlocked(decision_id=decided, retry_at=decision.retry_at, **common)
        return [_message(ctx, data, case, now, decided)]
    attempt = attempt_id(case.case_id, now)
    text = await _text(conn, ctx, case, request, person, now, attempt)
    await contacts.record_attempt(conn, attempt, request, text, case.variant, decision.policy_version, now)
    after.append(lambda: metrics.CONTACT_ATTEMPTS.labels(request.channel, request.recipient, case.variant).inc())
    data = contract.ContactAttempted(attempt_id=attempt, template_id=request.template_id, **common)
    return [_message(ctx, data, case, now, attempt)]


async def _text(conn, ctx: Outreach, case: CaseRow, request: ContactRequest, person: Person, now: datetime,
                attempt: str) -> str | None:
    if request.channel != "sms":
        return None  # a call follows the dialer's script; nothing is sent as text
    loan = await people.loan_address(conn, case.loan_id)
    first_name, product = (loan[2], loan[3]) if loan else ("", "")
    slots = visit_slots(now, person.history.zone) if request.purpose == "visit_confirmation" else []
    if slots:
        await visits.offer(conn, f"offer-{attempt}", case.case_id, case.customer_id, slots, now)
    return message_text(TEMPLATES[request.template_id], request.recipient, first_name, product, case, ctx, slots,
                        person.history.zone, now)


def _with_attempt(person: Person, request: ContactRequest, now: datetime) -> Person:
    attempt = Attempt(request.channel, request.destination, request.recipient, now)
    return Person(person.history.with_attempt(attempt), person.borrower_numbers, person.emergency_numbers)


def _message(ctx: Outreach, data, case: CaseRow, now: datetime, cause: str) -> OutboxMessage:
    return outreach_message(data, topic=ctx.topic, key=case.customer_id, time=now, cause=cause)
