"""In `make run` no collector carries the app, so a sandbox field team plays them.

At each tick it checks in to every assigned visit whose confirmed window is open and reports
an outcome, through the same use cases as the collectors' HTTP calls. The outcome is a pure
function of the visit id, so runs replay identically.
"""
import calendar
import logging
from datetime import date, datetime, timedelta

import asyncpg

from services.dispatch.door import check_in, record_outcome
from services.dispatch.requests import CheckIn, Position, VisitOutcomeIn
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events.dispatch import AgreedInstalment, NegotiatedTerms
from shared.refusal import Refusal
from shared.stable_pick import pick_weighted

log = logging.getLogger(__name__)
OUTCOMES = (("negotiated", 35), ("not_home", 25), ("met_borrower", 20), ("refused", 10), ("moved", 5),
            ("conflict", 5))


def sandbox_outcome(visit_id: str) -> str:
    return pick_weighted(visit_id, OUTCOMES)


def sandbox_terms(row: asyncpg.Record, now: datetime) -> NegotiatedTerms:
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


async def play_field_team(tx: Tx, policy_version: str) -> None:
    """The lead of each team at an open door checks in, then reports its outcome."""
    now = tx.time
    for row in await visits.due_at_the_door(tx.conn, now):
        visit_id, lead = row["visit_id"], row["collector_ids"][0]
        position = Position(latitude=row["lat"] or 0.0, longitude=row["lon"] or 0.0)
        outcome = sandbox_outcome(visit_id)
        terms = sandbox_terms(row, now) if outcome == "negotiated" else None
        try:
            await check_in(tx, visit_id, CheckIn(collector_id=lead, position=position), policy_version)
            await record_outcome(tx, visit_id, VisitOutcomeIn(collector_id=lead, outcome=outcome, terms=terms,
                                                              evidence=[f"rec-{visit_id}"]))
        except Refusal as refused:  # the door refused the team: the visit stays as it was, like a real one
            log.warning("sandbox field team refused at the door", extra={"visit_id": visit_id, "code": refused.code})
