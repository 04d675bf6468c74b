"""Agreements, their schedules, the open cases they settle, and the loan's payments they count."""
import json
from collections.abc import Iterable
from datetime import datetime

import asyncpg

from services.agreement.domain.evidence import text_hash
from services.agreement.domain.lifecycle import AgreementState
from services.agreement.domain.proposal import Terms
from shared.events.delinquency import DelinquencySnapshot
from shared.events.loan import PaymentReceived, PaymentReversed

# --- cases -------------------------------------------------------------------------------------


async def track_case(conn: asyncpg.Connection, event: DelinquencySnapshot, still_open: bool) -> None:
    if event.case_id is None:  # e.g. a loan closed after its case was cured: no case, only the loan
        await conn.execute("UPDATE cases SET open = false WHERE loan_id = $1", event.loan_id)
        return
    await conn.execute(
        "INSERT INTO cases (case_id, loan_id, customer_id, overdue_amount, currency, as_of, open)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO UPDATE SET"
        " overdue_amount = excluded.overdue_amount, as_of = excluded.as_of, open = excluded.open"
        " WHERE cases.as_of <= excluded.as_of",
        event.case_id, event.loan_id, event.customer_id, event.overdue_amount, event.currency, event.business_date,
        still_open,
    )


async def open_cases(conn: asyncpg.Connection, customer_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM cases WHERE customer_id = $1 AND open ORDER BY loan_id", customer_id)


async def open_case_of_loan(conn: asyncpg.Connection, loan_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM cases WHERE loan_id = $1 AND open ORDER BY as_of DESC LIMIT 1", loan_id)


# --- agreements --------------------------------------------------------------------------------


def state_of(row: asyncpg.Record) -> AgreementState:
    """An agreement row as the lifecycle sees it."""
    return AgreementState(row["status"], row["requires_approval"], text_hash(row["agreement_text"]),
                          row["policy_version"])


async def add(conn: asyncpg.Connection, *, agreement_id: str, case_id: str, loan_id: str, customer_id: str,
              state: AgreementState, source: str, visit_id: str | None, terms: Terms, text: str,
              proposed_at: datetime) -> bool:
    """A new proposal and its schedule; False when the id (or the visit) already has one."""
    status = await conn.execute(
        "INSERT INTO agreements (agreement_id, case_id, loan_id, customer_id, status, source, visit_id, currency,"
        " waiver_amount, requires_approval, policy_version, agreement_text, proposed_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT DO NOTHING",
        agreement_id, case_id, loan_id, customer_id, state.status, source, visit_id, terms.currency,
        terms.waiver_amount, state.approval_required, state.policy_version, text, proposed_at,
    )
    if not status.endswith(" 1"):
        return False
    await conn.executemany(
        "INSERT INTO agreement_instalments (agreement_id, sequence, due_date, amount) VALUES ($1, $2, $3, $4)",
        [(agreement_id, n, due, amount) for n, (due, amount) in enumerate(terms.instalments, start=1)],
    )
    return True


async def in_force(conn: asyncpg.Connection, loan_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM agreements WHERE loan_id = $1 AND status = 'active')",
                               loan_id)


async def agreement(conn: asyncpg.Connection, agreement_id: str, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM agreements WHERE agreement_id = $1" + (" FOR UPDATE" if lock else ""),
                               agreement_id)


async def instalments(conn: asyncpg.Connection, agreement_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM agreement_instalments WHERE agreement_id = $1 ORDER BY sequence",
                            agreement_id)


async def close(conn: asyncpg.Connection, agreement_id: str, status: str, at: datetime) -> None:
    """Fulfilled, broken or ended at `at`."""
    await conn.execute("UPDATE agreements SET status = $2, closed_at = $3 WHERE agreement_id = $1",
                       agreement_id, status, at)


async def approve(conn: asyncpg.Connection, agreement_id: str, status: str, at: datetime, by: str) -> None:
    await conn.execute("UPDATE agreements SET status = $2, approved_at = $3, approved_by = $4 WHERE agreement_id = $1",
                       agreement_id, status, at, by)


async def sign(conn: asyncpg.Connection, agreement_id: str, status: str, signature: dict, at: datetime) -> None:
    await conn.execute("UPDATE agreements SET status = $2, signed_at = $4, signature = $3"
                       " WHERE agreement_id = $1", agreement_id, status, json.dumps(signature), at)


async def mark_instalments(conn: asyncpg.Connection, agreement_id: str, paid: list[int], missed: list[int]) -> None:
    await conn.execute("UPDATE agreement_instalments SET paid = true WHERE agreement_id = $1"
                       " AND sequence = ANY($2::int[])", agreement_id, paid)
    await conn.execute("UPDATE agreement_instalments SET missed = true WHERE agreement_id = $1"
                       " AND sequence = ANY($2::int[])", agreement_id, missed)


async def active_agreements(conn: asyncpg.Connection, loan_id: str | None = None) -> list[asyncpg.Record]:
    """Locked: following them changes them."""
    return await conn.fetch("SELECT * FROM agreements WHERE status = 'active'"
                            " AND ($1::text IS NULL OR loan_id = $1) ORDER BY agreement_id FOR UPDATE", loan_id)


async def open_agreements_of_loan(conn: asyncpg.Connection, loan_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM agreements WHERE loan_id = $1 AND status IN ('proposed', 'approved',"
                            " 'active') FOR UPDATE", loan_id)


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {r["status"]: r["n"] for r in
            await conn.fetch("SELECT status, count(*) AS n FROM agreements GROUP BY status")}


# --- the loan's payments -----------------------------------------------------------------------


async def payments_since(conn: asyncpg.Connection, loan_id: str, since: datetime) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT payment_id, amount, paid_at FROM loan_payments WHERE loan_id = $1"
                            " AND paid_at >= $2 AND NOT reversed ORDER BY paid_at, payment_id", loan_id, since)


async def record_payments(conn: asyncpg.Connection, payments: Iterable[PaymentReceived]) -> None:
    await conn.executemany("INSERT INTO loan_payments (payment_id, loan_id, amount, paid_at) VALUES ($1,$2,$3,$4)"
                           " ON CONFLICT DO NOTHING",
                           [(p.payment_id, p.loan_id, p.amount, p.paid_at) for p in payments])


async def record_reversals(conn: asyncpg.Connection, reversals: Iterable[PaymentReversed]) -> None:
    await conn.executemany("UPDATE loan_payments SET reversed = true WHERE payment_id = $1",
                           [(r.payment_id,) for r in reversals])
