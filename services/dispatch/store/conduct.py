"""The facts that forbid visits (holds, preferences) and the decisions recorded for visits."""
from datetime import datetime, time

import asyncpg

from services.dispatch.domain.conduct import VisitPreferences


async def hold(conn: asyncpg.Connection, kind: str, subject_id: str, rule_id: str, source_id: str,
               since: datetime) -> None:
    await conn.execute(
        "INSERT INTO contact_holds (subject_kind, subject_id, rule_id, source_id, since) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING", kind, subject_id, rule_id, source_id, since)


async def release(conn: asyncpg.Connection, kind: str, subject_id: str, rule_id: str, source_id: str | None,
                  at: datetime) -> None:
    """Release one hold (`source_id`), or every hold of that rule on the subject (None)."""
    await conn.execute(
        "UPDATE contact_holds SET released_at = $5 WHERE subject_kind = $1 AND subject_id = $2 AND rule_id = $3"
        " AND ($4::text IS NULL OR source_id = $4) AND released_at IS NULL", kind, subject_id, rule_id, source_id, at)


async def holds_on(conn: asyncpg.Connection, customer_id: str, loan_id: str, case_id: str) -> frozenset[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT rule_id FROM contact_holds WHERE released_at IS NULL AND ((subject_kind = 'customer'"
        " AND subject_id = $1) OR (subject_kind = 'loan' AND subject_id = $2) OR (subject_kind = 'case'"
        " AND subject_id = $3))", customer_id, loan_id, case_id)
    return frozenset(row["rule_id"] for row in rows)


async def ended_by(conn: asyncpg.Connection, loan_id: str, case_id: str) -> str | None:
    """The event type that ended the case (or closed the loan), if one did."""
    return await conn.fetchval(
        "SELECT source_id FROM contact_holds WHERE rule_id = 'case.ended' AND released_at IS NULL AND"
        " ((subject_kind = 'case' AND subject_id = $2) OR (subject_kind = 'loan' AND subject_id = $1))"
        " ORDER BY subject_kind LIMIT 1", loan_id, case_id)


async def save_preferences(conn: asyncpg.Connection, customer_id: str, prefs: VisitPreferences,
                           changed_at: datetime) -> bool:
    """Keep the customer's latest preferences by event time; False when these are older than the kept ones."""
    status = await conn.execute(
        "INSERT INTO contact_preferences (customer_id, stop_contact, preferred_channel, hours_start, hours_end,"
        " changed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id) DO UPDATE SET"
        " stop_contact = excluded.stop_contact, preferred_channel = excluded.preferred_channel,"
        " hours_start = excluded.hours_start, hours_end = excluded.hours_end, changed_at = excluded.changed_at"
        " WHERE contact_preferences.changed_at < excluded.changed_at",
        customer_id, prefs.stop_contact, prefs.preferred_channel, prefs.hours_start, prefs.hours_end, changed_at)
    return status.endswith(" 1")


async def preferences(conn: asyncpg.Connection, customer_id: str) -> VisitPreferences | None:
    row = await conn.fetchrow("SELECT * FROM contact_preferences WHERE customer_id = $1", customer_id)
    if row is None:
        return None
    return VisitPreferences(row["stop_contact"], row["preferred_channel"], row["hours_start"], row["hours_end"])


async def record_decision(conn: asyncpg.Connection, visit: asyncpg.Record, stage: str, rule_id: str,
                          policy_version: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO visit_decisions (visit_id, stage, decided_at, rule_id, policy_version, customer_id, loan_id,"
        " case_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        visit["visit_id"], stage, at, rule_id, policy_version, visit["customer_id"], visit["loan_id"],
        visit["case_id"])


def parse_hours(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None
