"""The facts that forbid visits, followed as they arrive, and the one check every visit passes: when it
is scheduled, whenever such a fact arrives (for every visit not yet begun) and at the door.

Dispatch never relies on outreach having stopped asking: a visit request that arrives after a complaint,
a stop request, a dispute, an agreement or a payment that ended its case is scheduled and cancelled at
once, with the rule that forbade it, so outreach hears why.
"""
from datetime import datetime
from typing import Any

import asyncpg

from services.dispatch import metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.conduct import ALLOWED, VisitFacts, VisitPreferences, visit_rule
from services.dispatch.store import conduct, visits
from shared.db.tx import Tx
from shared.events import dispatch as contract
from shared.rows import reference

CANCEL_REASON = {  # the rule that forbids a visit -> the reason its cancellation gives
    "complaint.open": "complaint_opened", "preference.stop_contact": "contact_stopped",
    "dispute.open": "loan_disputed", "agreement.in_force": "agreement_signed", "case.paid_up": "loan_paid_up",
    "preference.channel": "preference_channel", "preference.hours": "preference_hours",
}
CASE_ENDED = {"delinquency.loan_cured": "loan_cured", "delinquency.loan_settled": "loan_settled",
              "delinquency.loan_closed": "loan_closed"}
FOLLOWED = frozenset({
    "outreach.complaint_opened", "outreach.complaint_resolved", "outreach.contact_preferences_changed",
    "agreement.signed", "agreement.broken", "agreement.fulfilled", "agreement.ended",
    "delinquency.loan_dispute_opened", "delinquency.loan_dispute_resolved", "delinquency.loan_paid_up", *CASE_ENDED,
})


async def rule_for(conn: asyncpg.Connection, visit: asyncpg.Record) -> str:
    """'allowed', or the rule that forbids this visit now."""
    return visit_rule(VisitFacts(
        holds=await conduct.holds_on(conn, visit["customer_id"], visit["loan_id"], visit["case_id"]),
        preferences=await conduct.preferences(conn, visit["customer_id"]),
        window_start=visit["window_start"], window_end=visit["window_end"], time_zone=visit["time_zone"]))


async def follow(tx: Tx, dispatch: Dispatch, event_type: str, data: Any, now: datetime) -> None:
    """Record the fact, then cancel every visit not yet begun that it (with all the others) now forbids."""
    await _record(tx.conn, event_type, data, now)
    customer_id = getattr(data, "customer_id", None)
    loan_id = None if event_type.startswith("outreach.") else getattr(data, "loan_id", None)
    scope = dict(loan_id=loan_id) if loan_id is not None else dict(customer_id=customer_id)
    for row in await visits.of_loan_or_customer(tx.conn, **scope):
        if row["status"] not in visits.NOT_BEGUN:
            continue
        rule = await rule_for(tx.conn, row)
        if rule != ALLOWED:
            await cancel(tx, dispatch, row, rule, now, CASE_ENDED.get(event_type))


async def cancel(tx: Tx, dispatch: Dispatch, row: asyncpg.Record, rule: str, now: datetime,
                 reason: str | None = None) -> None:
    """Cancel a visit not yet begun because `rule` forbids it, recording the decision."""
    if reason is None and rule == "case.ended":  # cured, settled or closed: say which
        reason = CASE_ENDED.get(await conduct.ended_by(tx.conn, row["loan_id"], row["case_id"]) or "")
    reason = reason or CANCEL_REASON[rule]
    await visits.cancel(tx.conn, row["visit_id"], reason)
    await conduct.record_decision(tx.conn, row, "cancel", rule, dispatch.policy.version, now)
    tx.on_commit(lambda: metrics.VISITS_CANCELLED.labels(reason).inc())
    tx.emit(contract.VisitCancelled(reason=reason, rule_id=rule, policy_version=dispatch.policy.version,
                                    **reference(row, "visit_id")),
            key=row["customer_id"], time=now, cause=f"{row['visit_id']}:{reason}")


async def _record(conn: asyncpg.Connection, event_type: str, data: Any, now: datetime) -> None:
    """Holds start and end when dispatch hears of them (`now`); preferences keep their own event time."""
    if event_type == "outreach.contact_preferences_changed":
        await conduct.save_preferences(conn, data.customer_id, VisitPreferences(
            data.stop_contact, data.preferred_channel, conduct.parse_hours(data.preferred_hours_start),
            conduct.parse_hours(data.preferred_hours_end)), data.changed_at)
        return
    change = _hold_change(event_type, data)
    if change is None:
        return
    starts, kind, subject, rule, source = change
    if starts:
        await conduct.hold(conn, kind, subject, rule, source, now)
    else:
        await conduct.release(conn, kind, subject, rule, source, now)


def _hold_change(event_type: str, data: Any) -> tuple[bool, str, str, str, str] | None:
    """(starts or ends, subject kind, subject id, rule, source id) of the hold an event starts or ends."""
    if event_type in ("outreach.complaint_opened", "outreach.complaint_resolved"):
        return event_type.endswith("opened"), "customer", data.customer_id, "complaint.open", data.complaint_id
    if event_type.startswith("agreement."):
        return event_type == "agreement.signed", "loan", data.loan_id, "agreement.in_force", data.agreement_id
    if event_type in ("delinquency.loan_dispute_opened", "delinquency.loan_dispute_resolved"):
        return event_type.endswith("opened"), "loan", data.loan_id, "dispute.open", data.dispute_id
    if event_type == "delinquency.loan_paid_up":
        return True, "case", data.case_id, "case.paid_up", data.payment_id
    if event_type in CASE_ENDED and data.case_id:
        return True, "case", data.case_id, "case.ended", event_type
    if event_type == "delinquency.loan_closed":  # no case open: the loan itself is gone for good
        return True, "loan", data.loan_id, "case.ended", event_type
    return None  # settled without a case open (never overdue): nothing ended, a later case may be visited
