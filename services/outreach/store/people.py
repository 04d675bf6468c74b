"""People as the rule book sees them: a person's file, their preferences, numbers and loans' contact details (the
details themselves come from loan events: `contact_details.py`). Only a person a loan's origination named is
known."""
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.outreach.domain.model import Attempt, Person, PersonHistory, Preferences
from services.outreach.domain.windows import HoursWindow

log = logging.getLogger(__name__)
HISTORY_SPAN = timedelta(days=8)  # the longest rule looks back 7 days


async def known(conn: asyncpg.Connection, customer_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = $1"
                               " AND first_name IS NOT NULL)", customer_id)


async def reachable(conn: asyncpg.Connection, customer_id: str) -> bool:
    """The borrower has a number not known to be invalid."""
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM contact_points WHERE customer_id = $1"
                               " AND kind = 'borrower' AND NOT invalid)", customer_id)


async def lock_customer(conn: asyncpg.Connection, customer_id: str) -> bool:
    """Whether the customer is known; their row stays locked to the end of the transaction, so changes of
    one person's preferences are made one after the other."""
    return await conn.fetchval("SELECT true FROM customers WHERE customer_id = $1 AND first_name IS NOT NULL"
                               " FOR UPDATE", customer_id) or False


async def preferences_changed_at(conn: asyncpg.Connection, customer_id: str) -> datetime | None:
    return await conn.fetchval("SELECT updated_at FROM preferences WHERE customer_id = $1", customer_id)


async def save_preferences(conn: asyncpg.Connection, customer_id: str, preferences: Preferences,
                           at: datetime) -> bool:
    """The borrower's choice at `at` replaces whatever they chose before it; never a later choice (False)."""
    hours = preferences.preferred_hours
    status = await conn.execute(
        "INSERT INTO preferences (customer_id, stop_contact, preferred_channel, preferred_start, preferred_end,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id) DO UPDATE SET"
        " stop_contact = excluded.stop_contact, preferred_channel = excluded.preferred_channel,"
        " preferred_start = excluded.preferred_start, preferred_end = excluded.preferred_end,"
        " updated_at = excluded.updated_at WHERE preferences.updated_at < excluded.updated_at",
        customer_id, preferences.stop_contact, preferences.preferred_channel, hours.start if hours else None,
        hours.end if hours else None, at,
    )
    return status.endswith(" 1")


# What stops collection on a person's open case `k`, whatever the contact: one definition each, read into the file.
_OPEN_CASES = "SELECT k.case_id FROM cases k WHERE k.customer_id = c.customer_id AND k.status = 'open'"
PAID_UP = "k.paid_up_payment_id IS NOT NULL"
DISPUTED = "EXISTS (SELECT 1 FROM loan_disputes d WHERE d.loan_id = k.loan_id AND d.resolved_at IS NULL)"
AGREEMENT_ON_ITS_LOAN = ("(k.agreement_id IS NOT NULL OR EXISTS (SELECT 1 FROM agreements a"
                         " WHERE a.loan_id = k.loan_id AND a.status = 'signed'))")
_PEOPLE = f"""
SELECT c.customer_id, c.time_zone, p.stop_contact, p.preferred_channel, p.preferred_start, p.preferred_end,
       EXISTS (SELECT 1 FROM complaints q WHERE q.customer_id = c.customer_id AND q.status = 'open') AS complaint,
       ARRAY({_OPEN_CASES} AND {PAID_UP}) AS paid_up_cases,
       ARRAY({_OPEN_CASES} AND {DISPUTED}) AS disputed_cases,
       ARRAY({_OPEN_CASES} AND {AGREEMENT_ON_ITS_LOAN}) AS agreement_cases,
       EXISTS (SELECT 1 FROM agreements a WHERE a.customer_id = c.customer_id AND a.status = 'signed')
       OR EXISTS ({_OPEN_CASES} AND k.agreement_id IS NOT NULL) AS agreement_in_force
FROM customers c LEFT JOIN preferences p USING (customer_id)
WHERE c.customer_id = ANY($1::text[]) AND c.first_name IS NOT NULL AND c.time_zone IS NOT NULL
"""


async def people(conn: asyncpg.Connection, customer_ids: list[str], now: datetime,
                 leaving_out: str | None = None) -> dict[str, Person]:
    """Each person's file as the rule book needs it: recent attempts, complaints, preferences, numbers, and
    which of their open cases are paid up, in dispute or under an agreement. An attempt counts from when it was
    sent, or decided until it is; `leaving_out` is an attempt being judged again (at its last check before
    sending), which does not count against itself."""
    customers = await conn.fetch(_PEOPLE, customer_ids)
    points = await conn.fetch(
        "SELECT customer_id, destination, kind, invalid FROM contact_points WHERE customer_id = ANY($1::text[])"
        " ORDER BY customer_id, kind, invalid, destination", customer_ids,
    )
    attempts = await conn.fetch(
        "SELECT customer_id, channel, destination, recipient, coalesce(sent_at, decided_at) AS at, outcome"
        " FROM contact_attempts WHERE customer_id = ANY($1::text[]) AND decided_at > $2"
        " AND dispatch_status <> 'cancelled' AND attempt_id IS DISTINCT FROM $3",
        customer_ids, now - HISTORY_SPAN, leaving_out,
    )
    points_of, attempts_of = _by_customer(points), _by_customer(attempts)
    return {row["customer_id"]: _person(row, points_of.get(row["customer_id"], []),
                                        attempts_of.get(row["customer_id"], [])) for row in customers}


def _by_customer(rows) -> dict[str, list]:
    """Group once per call: scanning every row for every person made a 2,000-case tick quadratic."""
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row["customer_id"]].append(row)
    return grouped


def _person(row, mine, attempts) -> Person:
    history = PersonHistory(
        time_zone=row["time_zone"],
        attempts=tuple(Attempt(a["channel"], a["destination"], a["recipient"], a["at"], a["outcome"])
                       for a in attempts),
        open_complaint=row["complaint"],
        preferences=_preferences(row),
        phones=frozenset(p["destination"] for p in mine if p["kind"] == "borrower"),
        invalid_destinations=frozenset(p["destination"] for p in mine if p["invalid"]),
        paid_up_cases=frozenset(row["paid_up_cases"]),
        disputed_cases=frozenset(row["disputed_cases"]),
        agreement_cases=frozenset(row["agreement_cases"]),
        agreement_in_force=row["agreement_in_force"],
    )
    return Person(history, tuple(p["destination"] for p in mine if p["kind"] == "borrower"),
                  tuple(p["destination"] for p in mine if p["kind"] == "emergency_contact" and not p["invalid"]))


def _preferences(row) -> Preferences:
    hours = None
    if row["preferred_start"] is not None and row["preferred_end"] is not None:
        try:
            hours = HoursWindow(row["preferred_start"], row["preferred_end"])
        except ValueError:  # stored before validation existed: ignore it rather than stop every case
            log.warning("ignoring an invalid preferred-hours window", extra={"customer": row["customer_id"]})
    return Preferences(bool(row["stop_contact"]), row["preferred_channel"], hours)


async def mark_invalid(conn: asyncpg.Connection, customer_id: str, destination: str) -> None:
    await conn.execute("UPDATE contact_points SET invalid = true WHERE customer_id = $1 AND destination = $2",
                       customer_id, destination)


@dataclass(frozen=True)
class LoanContact:
    """Where and to whom a loan's messages and visits go."""

    address: dict[str, Any]
    time_zone: str
    first_name: str
    product: str


async def loan_contact(conn: asyncpg.Connection, loan_id: str) -> LoanContact | None:
    row = await conn.fetchrow("SELECT l.address, c.time_zone, c.first_name, l.product FROM customer_loans l"
                              " JOIN customers c USING (customer_id) WHERE l.loan_id = $1", loan_id)
    if row is None:
        return None
    return LoanContact(json.loads(row["address"]), row["time_zone"], row["first_name"], row["product"])
