"""Following signed agreements: payments applied oldest first, instalments paid or missed, kept or broken;
and ending every open agreement of a loan closed upstream.

The allocation and the verdict come from `domain/tracking.py`, the status change from
`domain/lifecycle.py` (`follow`, `end`); this module stores them and announces them.
"""
from datetime import datetime

import asyncpg
from pydantic import BaseModel

from services.agreement import metrics
from services.agreement.context import Context
from services.agreement.domain import lifecycle
from services.agreement.domain.proposal import Instalment
from services.agreement.domain.tracking import allocate, missed, status_after
from services.agreement.store import agreements
from shared.db.tx import Tx
from shared.events import agreement as contract
from shared.rows import reference

END_REASON = "loan_closed"


async def follow(tx: Tx, ctx: Context, loan_id: str | None = None) -> None:
    """Follow every active agreement (or those of `loan_id`) as of the service's time."""
    for row in await agreements.active_agreements(tx.conn, loan_id):
        await _follow_one(tx, ctx, row)


async def _follow_one(tx: Tx, ctx: Context, row: asyncpg.Record) -> None:
    conn, now = tx.conn, tx.time
    today = ctx.business_date(now)
    schedule = await agreements.instalments(conn, row["agreement_id"])
    payments = await agreements.payments_since(conn, row["loan_id"], row["signed_at"])
    allocation = allocate([Instalment(i["due_date"], i["amount"]) for i in schedule], [p["amount"] for p in payments])
    ref = reference(row, "agreement_id")
    newly_paid = [p.index for p in allocation.instalments if p.unpaid == 0 and not schedule[p.index]["paid"]]
    newly_missed = missed(allocation, today, ctx.policy.grace_days,
                          already_reported=[i["sequence"] - 1 for i in schedule if i["missed"]])
    await agreements.mark_instalments(conn, row["agreement_id"], [i + 1 for i in newly_paid],
                                      [i + 1 for i in newly_missed])
    for index in newly_paid:
        line = schedule[index]
        _announce(tx, row, f"paid:{line['sequence']}", contract.AgreementInstalmentPaid(
            sequence=line["sequence"], due_date=line["due_date"], amount=line["amount"], **ref))
        tx.on_commit(lambda amount=line["amount"]: (metrics.INSTALMENTS.labels("paid").inc(),
                                                    metrics.RECOVERED.labels(row["currency"]).inc(amount)))
    for index in newly_missed:
        line, position = schedule[index], allocation.instalments[index]
        _announce(tx, row, f"missed:{line['sequence']}", contract.AgreementInstalmentMissed(
            sequence=line["sequence"], due_date=line["due_date"], unpaid=position.unpaid, **ref))
        tx.on_commit(lambda: metrics.INSTALMENTS.labels("missed").inc())
    state = lifecycle.follow(agreements.state_of(row), status_after(allocation, today, ctx.policy))
    if state.status == row["status"]:
        return
    await agreements.close(conn, row["agreement_id"], state.status, now)
    tx.on_commit(lambda: metrics.AGREEMENTS.labels(state.status).inc())
    if state.status == "fulfilled":
        _announce(tx, row, state.status, contract.AgreementFulfilled(fulfilled_at=now, **ref))
    else:
        unpaid = sum(p.unpaid for p in allocation.instalments)
        _announce(tx, row, state.status, contract.AgreementBroken(
            missed_instalments=len(missed(allocation, today, ctx.policy.grace_days)), unpaid=unpaid, **ref))


async def end_for_closed_loan(tx: Tx, loan_id: str, now: datetime) -> None:
    """The loan closed upstream (paid off, written off, sold): its open agreements end at `now`."""
    for row in await agreements.open_agreements_of_loan(tx.conn, loan_id):
        state = lifecycle.end(agreements.state_of(row), END_REASON)
        if state.status == row["status"]:
            continue
        await agreements.close(tx.conn, row["agreement_id"], state.status, now)
        tx.on_commit(lambda: metrics.AGREEMENTS.labels("ended").inc())
        _announce(tx, row, "ended", contract.AgreementEnded(reason=END_REASON, ended_at=now,
                                                            **reference(row, "agreement_id")), time=now)


def _announce(tx: Tx, row: asyncpg.Record, what: str, data: BaseModel, time: datetime | None = None) -> None:
    """Keyed by loan; the id derives from the agreement and what happened to it (replays dedupe)."""
    tx.emit(data, key=row["loan_id"], cause=f"{row['agreement_id']}:{what}", time=time)
