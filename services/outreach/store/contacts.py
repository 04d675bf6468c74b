"""Contact attempts and the audit trail of every decision."""
from datetime import datetime

import asyncpg

from services.outreach.domain.model import ContactRequest, Decision


async def record_decision(conn: asyncpg.Connection, decision_id: str, request: ContactRequest, decision: Decision,
                          variant: str, at: datetime) -> bool:
    status = await conn.execute(
        "INSERT INTO contact_decisions (decision_id, customer_id, case_id, channel, recipient, purpose, allowed,"
        " rule_id, policy_version, strategy_variant, retry_at, decided_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT DO NOTHING",
        decision_id, request.customer_id, request.case_id, request.channel, request.recipient, request.purpose,
        decision.allowed, decision.rule_id, decision.policy_version, variant, decision.retry_at, at,
    )
    return status.endswith(" 1")


async def record_final_decision(conn: asyncpg.Connection, decision_id: str, attempt: asyncpg.Record,
                                decision: Decision, at: datetime) -> bool:
    """Why an allowed attempt was never sent: the rule that stopped it, with the policy version of now."""
    status = await conn.execute(
        "INSERT INTO contact_decisions (decision_id, customer_id, case_id, channel, recipient, purpose, allowed,"
        " rule_id, policy_version, strategy_variant, retry_at, decided_at, attempt_id)"
        " VALUES ($1,$2,$3,$4,$5,$6,false,$7,$8,$9,$10,$11,$12) ON CONFLICT DO NOTHING",
        decision_id, attempt["customer_id"], attempt["case_id"], attempt["channel"], attempt["recipient"],
        attempt["purpose"], decision.rule_id, decision.policy_version, attempt["strategy_variant"], decision.retry_at,
        at, attempt["attempt_id"],
    )
    return status.endswith(" 1")


async def cancel_pending(conn: asyncpg.Connection, case_ids: list[str]) -> list[asyncpg.Record]:
    """The cases' attempts not sent yet are not to be sent; returns them."""
    return await conn.fetch("UPDATE contact_attempts SET dispatch_status = 'cancelled'"
                            " WHERE case_id = ANY($1::text[]) AND dispatch_status = 'pending' RETURNING *", case_ids)


async def cancel_attempt(conn: asyncpg.Connection, attempt_id: str) -> None:
    await conn.execute("UPDATE contact_attempts SET dispatch_status = 'cancelled' WHERE attempt_id = $1"
                       " AND dispatch_status = 'pending'", attempt_id)


async def record_attempt(conn: asyncpg.Connection, attempt_id: str, request: ContactRequest, message: str | None,
                         variant: str, policy_version: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO contact_attempts (attempt_id, customer_id, case_id, channel, recipient, destination, purpose,"
        " template_id, message, strategy_variant, policy_version, decided_at, next_dispatch_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12) ON CONFLICT DO NOTHING",
        attempt_id, request.customer_id, request.case_id, request.channel, request.recipient, request.destination,
        request.purpose, request.template_id, message, variant, policy_version, at,
    )


async def attempt(conn: asyncpg.Connection, attempt_id: str, lock: bool = False):
    return await conn.fetchrow("SELECT * FROM contact_attempts WHERE attempt_id = $1" + (" FOR UPDATE" if lock else ""),
                               attempt_id)


async def set_outcome(conn: asyncpg.Connection, attempt_id: str, outcome: str, at: datetime) -> None:
    await conn.execute("UPDATE contact_attempts SET outcome = $2, outcome_at = $3 WHERE attempt_id = $1",
                       attempt_id, outcome, at)


async def history(conn: asyncpg.Connection, customer_id: str) -> list[asyncpg.Record]:
    """What was sent or attempted and what was blocked, newest first (the borrower's own view): when each was
    decided, and when an attempt was sent; a block that stopped an allowed attempt names it."""
    return await conn.fetch(
        "SELECT 'attempt' AS kind, attempt_id AS id, channel, recipient, purpose, decided_at AS at, decided_at,"
        " sent_at, dispatch_status AS status, outcome, NULL AS rule_id, policy_version, NULL AS attempt_id"
        " FROM contact_attempts WHERE customer_id = $1"
        " UNION ALL SELECT 'blocked', decision_id, channel, recipient, purpose, decided_at, decided_at, NULL,"
        " 'blocked', NULL, rule_id, policy_version, attempt_id FROM contact_decisions"
        " WHERE customer_id = $1 AND NOT allowed"
        " ORDER BY at DESC, kind DESC LIMIT 500", customer_id,
    )
