"""Set-based days-past-due evaluation: one statement for the whole book or for a few loans.

The rules are the shared definitions of docs/inbound-contract.md (and services/overdue/domain/allocation.py, which
the contract test holds equal to this SQL): payments fill instalments oldest due date first;
DPD on D is D minus the due date of the oldest instalment due before D and not fully paid.
"""
from dataclasses import dataclass
from datetime import date

import asyncpg

# Two scopes, one rule: a filter `loan_id = ANY($2)` would compare every open loan with every
# wanted id under a generic plan; joining the unnested ids lets Postgres hash or index it.
_WHOLE_BOOK = "SELECT loan_id FROM delinquency_state WHERE NOT closed AND $2::text[] IS NULL"
_SOME_LOANS = (
    "SELECT s.loan_id FROM delinquency_state s"
    " JOIN (SELECT DISTINCT unnest($2::text[]) AS loan_id) AS wanted USING (loan_id)"
    " WHERE NOT s.closed"
)
_EVALUATE = """
WITH scope AS ({scope}), paid AS (
    SELECT p.loan_id, sum(p.amount)::bigint AS paid_total
    FROM payments p JOIN scope USING (loan_id)
    WHERE p.business_date <= $1
      AND NOT EXISTS (SELECT 1 FROM payment_reversals r WHERE r.payment_id = p.payment_id
                      AND r.reversed_on <= coalesce($6::date, $1))
    GROUP BY p.loan_id
), schedule AS (
    SELECT i.loan_id, i.due_date, i.amount_due,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.due_date, i.sequence)::bigint AS due_through
    FROM instalments i JOIN scope USING (loan_id)
), position AS (
    SELECT s.loan_id, coalesce(p.paid_total, 0) AS paid_total, sum(s.amount_due)::bigint AS total_due,
           min(s.due_date) FILTER (WHERE s.due_date < $1 AND s.due_through > coalesce(p.paid_total, 0))
               AS oldest_unpaid_due,
           coalesce(sum(s.amount_due) FILTER (WHERE s.due_date < $1), 0)::bigint AS due_before
    FROM schedule s LEFT JOIN paid p USING (loan_id)
    GROUP BY s.loan_id, p.paid_total
), evaluated AS (
    SELECT loan_id, paid_total, dpd,
           greatest(due_before - paid_total, 0) AS overdue_amount,
           greatest(total_due - paid_total, 0) AS outstanding_amount,
           CASE WHEN dpd > $3 THEN ($5::text[])[(SELECT count(*) FROM unnest($4::int[]) b WHERE b <= dpd)] END
               AS bucket
    FROM (SELECT *, coalesce($1 - oldest_unpaid_due, 0) AS dpd FROM position) positioned
), refreshed AS (
    UPDATE delinquency_state s
    SET days_past_due = e.dpd, overdue_amount = e.overdue_amount,
        outstanding_amount = e.outstanding_amount, evaluated_on = $1
    FROM evaluated e
    WHERE s.loan_id = e.loan_id
      AND (s.days_past_due, s.overdue_amount, s.outstanding_amount)
          IS DISTINCT FROM (e.dpd, e.overdue_amount, e.outstanding_amount)
)
SELECT e.loan_id, e.paid_total, e.dpd, e.overdue_amount, e.outstanding_amount,
       s.case_seq, s.case_id, s.bucket AS previous_bucket, s.settled,
       l.customer_id, l.currency, l.principal
FROM evaluated e JOIN delinquency_state s USING (loan_id) JOIN loans l USING (loan_id)
WHERE e.bucket IS DISTINCT FROM s.bucket OR (e.outstanding_amount = 0) IS DISTINCT FROM s.settled
"""

_HISTORY = """
WITH schedule AS (
    SELECT i.loan_id, i.due_date,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.due_date, i.sequence)::bigint AS due_through
    FROM instalments i JOIN (SELECT DISTINCT unnest($2::text[]) AS loan_id) AS wanted USING (loan_id)
)
SELECT s.loan_id, count(*) AS instalments_due,
       count(*) FILTER (WHERE s.due_through > coalesce((
           SELECT sum(p.amount)::bigint FROM payments p
           WHERE p.loan_id = s.loan_id AND p.business_date <= s.due_date
             AND NOT EXISTS (SELECT 1 FROM payment_reversals r
                             WHERE r.payment_id = p.payment_id AND r.reversed_on <= $1)), 0)
       ) AS instalments_paid_late
FROM schedule s WHERE s.due_date < $1
GROUP BY s.loan_id
"""


@dataclass(frozen=True)
class Candidate:
    """A loan whose bucket or settlement may have changed, with what the rules need to decide."""

    loan_id: str
    customer_id: str
    currency: str
    principal: int
    paid_total: int
    days_past_due: int
    overdue_amount: int
    outstanding_amount: int
    case_seq: int
    case_id: str | None
    previous_bucket: str | None
    settled: bool


async def evaluate(
    conn: asyncpg.Connection,
    on: date,
    *,
    grace_days: int,
    lower_bounds: list[int],
    labels: list[str],
    loan_ids: list[str] | None = None,
    reversals_through: date | None = None,
) -> list[Candidate]:
    """Refresh every open loan's position on business date `on`; return the ones that may transition.

    Payments reversed on or before `reversals_through` (default `on`) do not count: the day's end knows
    the reversals of that day; a reversal arriving during the next day corrects the last closed day."""
    query = _EVALUATE.format(scope=_WHOLE_BOOK if loan_ids is None else _SOME_LOANS)
    rows = await conn.fetch(query, on, loan_ids, grace_days, lower_bounds, labels, reversals_through)
    return [
        Candidate(
            loan_id=r["loan_id"], customer_id=r["customer_id"], currency=r["currency"], principal=r["principal"],
            paid_total=r["paid_total"], days_past_due=r["dpd"], overdue_amount=r["overdue_amount"],
            outstanding_amount=r["outstanding_amount"], case_seq=r["case_seq"], case_id=r["case_id"],
            previous_bucket=r["previous_bucket"], settled=r["settled"],
        )
        for r in rows
    ]


async def repayment_history(conn: asyncpg.Connection, on: date, loan_ids: list[str]) -> dict[str, tuple[int, int]]:
    """loan id -> (instalments due before `on`, of which not fully paid by their due date)."""
    if not loan_ids:
        return {}
    rows = await conn.fetch(_HISTORY, on, loan_ids)
    return {r["loan_id"]: (r["instalments_due"], r["instalments_paid_late"]) for r in rows}
