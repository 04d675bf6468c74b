"""The one place that reads outreach's stored table `contact_attempts`, for what its events do not say:
the number an attempt went to, whether it went out at all, and when (if the table records it).

Columns are looked up by name and may be missing, so a change to the table changes this file only.
"""
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SQL = "SELECT * FROM contact_attempts"
SENT_TIME_COLUMNS = ("sent_at", "dispatched_at")  # the first one the table has is the send time
WENT_OUT = "sent"
NOT_OUT = frozenset({"pending", "failed", "cancelled"})  # still waiting, given up, or withdrawn before sending


@dataclass(frozen=True)
class StoredAttempt:
    attempt_id: str
    person: str | None
    channel: str | None
    decided_at: datetime | None
    number: str | None
    went_out: bool | None  # None: the table does not say
    sent_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None


def stored_attempts(rows: Iterable[Mapping[str, Any]]) -> dict[str, StoredAttempt]:
    """Rows of `contact_attempts` (any mapping: asyncpg records, dicts) by attempt id."""
    found = {}
    for row in rows:
        row = dict(row)
        status = row.get("dispatch_status")
        went_out = True if status == WENT_OUT else False if status in NOT_OUT else None
        sent_at = next((row[c] for c in SENT_TIME_COLUMNS if row.get(c) is not None), None)
        found[row["attempt_id"]] = StoredAttempt(
            attempt_id=row["attempt_id"], person=row.get("customer_id"), channel=row.get("channel"),
            decided_at=row.get("decided_at"), number=row.get("destination"), went_out=went_out,
            sent_at=sent_at if went_out is not False else None, outcome=row.get("outcome"),
            outcome_at=row.get("outcome_at"))
    return found


async def read_attempts(fetch: Callable[[str], Awaitable[Iterable[Mapping[str, Any]]]]) -> dict[str, StoredAttempt]:
    """`fetch(sql)` runs a query on outreach's database, e.g. `lambda sql: flow.query("outreach", sql)`."""
    return stored_attempts(await fetch(SQL))
