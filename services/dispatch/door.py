"""What collectors report from the door: arrival inside the confirmed window, then what happened."""
import asyncpg

from services.dispatch import conduct, metrics
from services.dispatch.domain.conduct import ALLOWED
from services.dispatch.requests import CheckIn, VisitOutcomeIn
from services.dispatch.store import conduct as conduct_store
from services.dispatch.store import visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.refusal import Conflict, Forbidden, Malformed, NotFound
from shared.rows import reference


async def check_in(tx: Tx, visit_id: str, body: CheckIn, policy_version: str) -> None:
    """Only a collector on the visit, only once, only inside the window the borrower confirmed, and only
    while nothing forbids the visit (the last check: a 409 with the rule that forbids it)."""
    now = tx.time
    row = await _visit_for(tx, visit_id, body.collector_id, "assigned")
    if not row["window_start"] <= now < row["window_end"]:
        raise Conflict("outside_confirmed_window", "a visit happens only inside the window the borrower confirmed",
                       window_start=row["window_start"].isoformat(), window_end=row["window_end"].isoformat())
    rule = await conduct.rule_for(tx.conn, row)  # the last check, at the door
    if rule != ALLOWED:
        raise Conflict("visit_forbidden", "the borrower may not be visited now", rule_id=rule)
    await visits.check_in(tx.conn, visit_id, body.collector_id, now)
    await conduct_store.record_decision(tx.conn, row, "check_in", rule, policy_version, now)
    tx.emit(contract.VisitCheckedIn(collector_id=body.collector_id, checked_in_at=now, rule_id=rule,
                                    policy_version=policy_version, **reference(row, "visit_id")),
            key=row["customer_id"], cause=f"{visit_id}:in")


async def record_outcome(tx: Tx, visit_id: str, body: VisitOutcomeIn) -> None:
    """One outcome, after the check-in; negotiated terms come with, and only with, a negotiated outcome."""
    now = tx.time
    row = await _visit_for(tx, visit_id, body.collector_id, "checked_in")
    if (body.outcome == "negotiated") != (body.terms is not None):
        raise Malformed("terms_mismatch", "negotiated terms come with, and only with, a negotiated outcome")
    terms = body.terms.model_dump(mode="json") if body.terms else None
    await visits.complete(tx.conn, visit_id, body.outcome, terms, body.evidence, body.notes, now)
    tx.on_commit(lambda: metrics.VISITS_COMPLETED.labels(body.outcome).inc())
    tx.emit(contract.VisitCompleted(collector_id=body.collector_id, outcome=body.outcome, terms=body.terms,
                                    evidence=body.evidence, completed_at=now, **reference(row, "visit_id")),
            key=row["customer_id"], cause=f"{visit_id}:done")


async def _visit_for(tx: Tx, visit_id: str, collector_id: str, status: str) -> asyncpg.Record:
    """The visit, locked, if this collector is on it and it is in `status`; else the refusal."""
    row = await visits.visit(tx.conn, visit_id, lock=True)
    if row is None:
        raise NotFound("visit_not_found", "no visit with this id")
    if collector_id not in row["collector_ids"]:
        raise Forbidden("not_your_visit", "this collector is not assigned to the visit")
    if row["status"] == "cancelled":
        raise Conflict("visit_cancelled", "the visit was cancelled", reason=row["reason"])
    if row["status"] != status:
        raise Conflict("wrong_visit_status", "the visit is not in a state that allows this", visit_status=row["status"])
    return row
