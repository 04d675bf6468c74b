"""Delinquency cases as outreach follows them: one per episode, with the step it is on."""
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from services.outreach.domain.planning import Plan
from services.outreach.domain.rules_timing import UNKNOWN_OUTCOME_RULE
from services.outreach.domain.waiting import WaitingFor
from services.outreach.store import contacts, visits
from shared.events.delinquency import DelinquencySnapshot


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    loan_id: str
    customer_id: str
    variant: str
    ladder: str | None
    step_index: int
    step_attempts: int
    bucket: str | None
    risk_segment: str
    overdue_amount: int
    currency: str
    days_past_due: int
    as_of: date | None
    broken_promises: int
    waiting_for: WaitingFor | None
    agreement_id: str | None  # an agreement in force: no contact at all
    awaited_visit_id: str | None  # the visit whose report moves the case (waiting_for 'visit')

    @classmethod
    def of(cls, row: asyncpg.Record) -> "CaseRow":
        fields = dict(row)
        waiting = fields.pop("waiting_for")
        return cls(**fields, waiting_for=WaitingFor(waiting) if waiting is not None else None)


_COLUMNS = ("case_id, loan_id, customer_id, variant, ladder, step_index, step_attempts, bucket, risk_segment,"
            " overdue_amount, currency, days_past_due, as_of, broken_promises, waiting_for, agreement_id,"
            " awaited_visit_id")


async def open_case(conn: asyncpg.Connection, event: DelinquencySnapshot, variant: str, ladder: str | None,
                    at: datetime) -> bool:
    status = await conn.execute(
        "INSERT INTO cases (case_id, loan_id, customer_id, status, bucket, risk_segment, days_past_due,"
        " overdue_amount, currency, variant, ladder, next_action_at, opened_at, as_of)"
        " VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) ON CONFLICT (case_id) DO NOTHING",
        event.case_id, event.loan_id, event.customer_id, event.bucket, event.risk_segment, event.days_past_due,
        event.overdue_amount, event.currency, variant, ladder, at, event.business_date,
    )
    return status.endswith(" 1")


async def refresh_case(conn: asyncpg.Connection, event: DelinquencySnapshot) -> None:
    await conn.execute(
        "UPDATE cases SET bucket = $2, risk_segment = $3, days_past_due = $4, overdue_amount = $5, as_of = $6"
        " WHERE case_id = $1 AND status = 'open'",
        event.case_id, event.bucket, event.risk_segment, event.days_past_due, event.overdue_amount,
        event.business_date,
    )


async def close_cases_of_loan(conn: asyncpg.Connection, loan_id: str, reason: str, at: datetime) -> list[str]:
    """Close the loan's open case and cancel what it had not yet sent; returns the cases closed."""
    rows = await conn.fetch(
        "UPDATE cases SET status = 'closed', closed_at = $3, close_reason = $2, next_action_at = NULL"
        " WHERE loan_id = $1 AND status = 'open' RETURNING case_id", loan_id, reason, at,
    )
    closed = [r["case_id"] for r in rows]
    await contacts.cancel_pending(conn, closed)
    await visits.expire_open(conn, closed)
    return closed


async def due_cases(conn: asyncpg.Connection, now: datetime, limit: int) -> list[CaseRow]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM cases WHERE status = 'open' AND next_action_at <= $1"
        " ORDER BY next_action_at, case_id LIMIT $2 FOR UPDATE SKIP LOCKED", now, limit,
    )
    return [CaseRow.of(r) for r in rows]


async def case(conn: asyncpg.Connection, case_id: str) -> CaseRow | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM cases WHERE case_id = $1 AND status = 'open' FOR UPDATE",
                              case_id)
    return CaseRow.of(row) if row else None


async def save_step(conn: asyncpg.Connection, case_id: str, step_index: int, step_attempts: int,
                    next_action_at: datetime | None, waiting_for: WaitingFor | None) -> None:
    await conn.execute(
        "UPDATE cases SET step_index = $2, step_attempts = $3, next_action_at = $4, waiting_for = $5"
        " WHERE case_id = $1", case_id, step_index, step_attempts, next_action_at,
        waiting_for.value if waiting_for is not None else None,
    )


async def save_plan(conn: asyncpg.Connection, case_id: str, plan: Plan) -> None:
    """The step, tries, next action time and awaited answer a plan leaves the case with."""
    await save_step(conn, case_id, plan.step_index, plan.step_attempts, plan.next_action_at, plan.waiting_for)


async def await_visit(conn: asyncpg.Connection, case_id: str, visit_request_id: str, until: datetime) -> None:
    """Wait (until at most `until`) for dispatch's report on the visit it schedules for this request."""
    await conn.execute("UPDATE cases SET waiting_for = $4, next_action_at = $3, awaited_visit_request_id = $2,"
                       " awaited_visit_id = NULL WHERE case_id = $1", case_id, visit_request_id, until,
                       WaitingFor.VISIT.value)


async def visit_scheduled(conn: asyncpg.Connection, case_id: str, visit_request_id: str, visit_id: str) -> None:
    await conn.execute("UPDATE cases SET awaited_visit_id = $3 WHERE case_id = $1 AND awaited_visit_request_id = $2",
                       case_id, visit_request_id, visit_id)


async def cases(conn: asyncpg.Connection, case_ids: list[str]) -> list[CaseRow]:
    """The open ones among `case_ids`, locked."""
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM cases WHERE case_id = ANY($1::text[]) AND status = 'open'"
                            " ORDER BY case_id FOR UPDATE", case_ids)
    return [CaseRow.of(r) for r in rows]


async def held_by_agreement(conn: asyncpg.Connection, case_ids: list[str], agreement_id: str) -> None:
    """The cases (of the agreement's loan) an agreement holds: a broken agreement restarts them."""
    await conn.execute("UPDATE cases SET agreement_id = $2 WHERE case_id = ANY($1::text[]) AND status = 'open'"
                       " AND agreement_id IS NULL", case_ids, agreement_id)


async def release_from_agreement(conn: asyncpg.Connection, agreement_id: str) -> list[str]:
    rows = await conn.fetch("UPDATE cases SET agreement_id = NULL WHERE agreement_id = $1 AND status = 'open'"
                            " RETURNING case_id", agreement_id)
    return [r["case_id"] for r in rows]


async def mark_paid_up(conn: asyncpg.Connection, loan_id: str, payment_id: str, at: datetime) -> list[str]:
    """The loan's open cases: `payment_id` cleared what was overdue; returns them."""
    rows = await conn.fetch("UPDATE cases SET paid_up_payment_id = $2, paid_up_at = $3 WHERE loan_id = $1"
                            " AND status = 'open' RETURNING case_id", loan_id, payment_id, at)
    return [r["case_id"] for r in rows]


async def lift_paid_up(conn: asyncpg.Connection, payment_ids: list[str]) -> list[str]:
    """The payments were reversed: the open cases they had paid up are no longer; returns them."""
    rows = await conn.fetch("UPDATE cases SET paid_up_payment_id = NULL, paid_up_at = NULL"
                            " WHERE paid_up_payment_id = ANY($1::text[]) AND status = 'open' RETURNING case_id",
                            payment_ids)
    return [r["case_id"] for r in rows]


async def open_cases_of_customer(conn: asyncpg.Connection, customer_id: str) -> list[str]:
    rows = await conn.fetch("SELECT case_id FROM cases WHERE customer_id = $1 AND status = 'open'", customer_id)
    return [r["case_id"] for r in rows]


async def open_cases_of_loan(conn: asyncpg.Connection, loan_id: str) -> list[str]:
    rows = await conn.fetch("SELECT case_id FROM cases WHERE loan_id = $1 AND status = 'open'", loan_id)
    return [r["case_id"] for r in rows]


async def cases_under_agreement(conn: asyncpg.Connection, agreement_id: str) -> list[str]:
    rows = await conn.fetch("SELECT case_id FROM cases WHERE agreement_id = $1 AND status = 'open'", agreement_id)
    return [r["case_id"] for r in rows]


async def restart(conn: asyncpg.Connection, case_id: str, ladder: str | None, at: datetime) -> None:
    """From the first step of `ladder`, with no agreement in force and nothing else awaited."""
    await conn.execute("UPDATE cases SET ladder = $2, step_index = 0, step_attempts = 0, next_action_at = $3,"
                       " waiting_for = NULL, agreement_id = NULL WHERE case_id = $1", case_id, ladder, at)


async def count_broken_promise(conn: asyncpg.Connection, case_id: str) -> None:
    await conn.execute("UPDATE cases SET broken_promises = broken_promises + 1 WHERE case_id = $1", case_id)


async def resume_customer(conn: asyncpg.Connection, customer_id: str, at: datetime, waiting_for: WaitingFor) -> None:
    """Cases that waited for this person's preference to change act at the next tick."""
    await conn.execute("UPDATE cases SET next_action_at = $2, waiting_for = NULL"
                       " WHERE customer_id = $1 AND status = 'open' AND waiting_for = $3", customer_id, at,
                       waiting_for.value)


async def wake_after_call_outcome(conn: asyncpg.Connection, customer_id: str, at: datetime) -> None:
    """A call's outcome arrived: the person's cases held only because an earlier call's outcome was unknown act
    at the next tick (by the rule book's judgement then), not at the end of the wait that was set."""
    await conn.execute(
        "UPDATE cases k SET next_action_at = $2 WHERE k.customer_id = $1 AND k.status = 'open'"
        " AND k.waiting_for = $3 AND k.next_action_at > $2"
        " AND (SELECT d.rule_id FROM contact_decisions d WHERE d.customer_id = k.customer_id AND d.case_id = k.case_id"
        " ORDER BY d.decided_at DESC, d.decision_id LIMIT 1) = $4",
        customer_id, at, WaitingFor.RULE.value, UNKNOWN_OUTCOME_RULE,
    )


async def open_counts(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT variant, count(*) AS n FROM cases WHERE status = 'open' GROUP BY variant")
    return {r["variant"]: r["n"] for r in rows}
