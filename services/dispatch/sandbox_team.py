"""In `make run` no collector carries the app, so a sandbox field team plays them.

At each tick it checks in to every assigned visit whose confirmed window is open and reports
an outcome, through the same functions as the collectors' HTTP calls. The outcome is a pure
function of the visit id, so runs replay identically.
"""
import calendar
import hashlib
from datetime import date, datetime, timedelta

import asyncpg

from services.dispatch.context import Dispatch
from services.dispatch.door import check_in, record_outcome
from services.dispatch.requests import CheckIn, Position, VisitOutcomeIn
from services.dispatch.store import visits
from shared.events.dispatch import AgreedInstalment, NegotiatedTerms
from shared.kafka.batch import AfterCommit

OUTCOMES = (("negotiated", 35), ("not_home", 25), ("met_borrower", 20), ("refused", 10), ("moved", 5),
            ("conflict", 5))


def sandbox_outcome(visit_id: str) -> str:
    point = int.from_bytes(hashlib.sha256(visit_id.encode()).digest()[:8], "big") % 100
    for outcome, percent in OUTCOMES:
        if point < percent:
            return outcome
        point -= percent
    raise AssertionError("outcome table does not sum to 100")


def sandbox_terms(row, now: datetime) -> NegotiatedTerms:
    """Three monthly instalments of the overdue amount, the first in a week."""
    amount = max(row["overdue_amount"], 3)
    parts = [amount // 3] * 2 + [amount - 2 * (amount // 3)]
    first = now.astimezone(row["window_start"].tzinfo).date() + timedelta(days=7)
    return NegotiatedTerms(currency=row["currency"], instalments=[
        AgreedInstalment(due_date=_months_later(first, n), amount=part) for n, part in enumerate(parts)])


def _months_later(day: date, months: int) -> date:
    """The same day of the month, or the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def play_field_team(conn: asyncpg.Connection, ctx: Dispatch, now: datetime, after: AfterCommit) -> list:
    messages = []
    for row in await visits.due_at_the_door(conn, now):
        lead = row["collector_ids"][0]
        position = Position(latitude=row["lat"] or 0.0, longitude=row["lon"] or 0.0)
        _, arrived = await check_in(conn, ctx, row["visit_id"], CheckIn(collector_id=lead, position=position),
                                    now, after)
        outcome = sandbox_outcome(row["visit_id"])
        terms = sandbox_terms(row, now) if outcome == "negotiated" else None
        body = VisitOutcomeIn(collector_id=lead, outcome=outcome, terms=terms, evidence=[f"rec-{row['visit_id']}"])
        _, done = await record_outcome(conn, ctx, row["visit_id"], body, now, after)
        messages += arrived + done
    return messages
