"""The borrower's itemised statement (the right to know), as of a date, with what is known now: a payment
since reversed is left out of every date, as if it had never been made."""
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from services.overdue.domain.allocation import Payment, ScheduledInstalment
from services.overdue.domain.calendar import business_date
from services.overdue.domain.delinquency import Policy
from services.overdue.domain.statement import build_statement
from services.overdue.store import reads
from shared.db import clock as clock_store
from shared.refusal import ClockNotStarted, Forbidden, NotFound


async def statement(conn: asyncpg.Connection, policy: Policy, zone: ZoneInfo, loan_id: str,
                    on: date | None, *, customer: str | None = None) -> dict[str, Any]:
    """As of `on`, or of the business date in progress by the service's clock; with `customer` (a borrower
    asking for themself), only for a loan of that customer (Forbidden `not_your_customer` otherwise)."""
    found = await reads.loan_for_statement(conn, loan_id)
    if found is None:
        raise NotFound("loan_not_found", "no loan with this id")
    if customer is not None and found[0]["customer_id"] != customer:
        raise Forbidden("not_your_customer", "this loan belongs to another customer")
    if on is None:
        now = (await clock_store.read_clock(conn)).now
        if now is None:
            raise ClockNotStarted()
        on = business_date(now, zone)
    loan, instalments, payments = found
    result = build_statement(
        loan["loan_id"], loan["currency"],
        [ScheduledInstalment(r["sequence"], r["due_date"], r["amount_due"]) for r in instalments],
        [Payment(r["payment_id"], r["amount"], r["business_date"]) for r in payments
         if r["reversed_on"] is None],  # a reversal removes its payment from every date: what is known now
        on, policy,
    )
    return result.as_dict() | {"status": loan["status"], "closed_reason": loan["closed_reason"],
                               "case_id": loan["case_id"]}
