"""Following signed agreements: payments applied oldest first, instalments paid or missed, kept or broken."""
from datetime import datetime

import asyncpg

from services.agreement import metrics
from services.agreement.context import Agreements
from services.agreement.domain.proposal import Instalment
from services.agreement.domain.tracking import allocate, missed, status_after
from services.agreement.events_out import agreement_message
from services.agreement.store import agreements
from shared.events import agreement as contract
from shared.kafka.batch import AfterCommit


async def follow(conn: asyncpg.Connection, ctx: Agreements, now: datetime, after: AfterCommit,
                 loan_id: str | None = None) -> list:
    today = now.astimezone(ctx.zone).date()
    messages = []
    for row in await agreements.active_agreements(conn, loan_id):
        messages += await _follow_one(conn, ctx, row, today, now, after)
    return messages


async def _follow_one(conn, ctx: Agreements, row, today, now: datetime, after: AfterCommit) -> list:
    schedule = await agreements.instalments(conn, row["agreement_id"])
    payments = await agreements.payments_since(conn, row["loan_id"], row["signed_at"])
    allocation = allocate([Instalment(i["due_date"], i["amount"]) for i in schedule], [p["amount"] for p in payments])
    ref = dict(agreement_id=row["agreement_id"], case_id=row["case_id"], loan_id=row["loan_id"],
               customer_id=row["customer_id"])
    newly_paid = [p.index for p in allocation.instalments if p.unpaid == 0 and not schedule[p.index]["paid"]]
    newly_missed = missed(allocation, today, ctx.policy.grace_days,
                          already_reported=[i["sequence"] - 1 for i in schedule if i["missed"]])
    await agreements.mark_instalments(conn, row["agreement_id"], [i + 1 for i in newly_paid],
                                      [i + 1 for i in newly_missed])
    messages = []
    for index in newly_paid:
        line = schedule[index]
        data = contract.AgreementInstalmentPaid(sequence=line["sequence"], due_date=line["due_date"],
                                                amount=line["amount"], **ref)
        messages.append(_message(ctx, data, row, now, f"paid:{line['sequence']}"))
        after.append(lambda amount=line["amount"]: (metrics.INSTALMENTS.labels("paid").inc(),
                                                    metrics.RECOVERED.labels(row["currency"]).inc(amount)))
    for index in newly_missed:
        line, position = schedule[index], allocation.instalments[index]
        data = contract.AgreementInstalmentMissed(sequence=line["sequence"], due_date=line["due_date"],
                                                  unpaid=position.unpaid, **ref)
        messages.append(_message(ctx, data, row, now, f"missed:{line['sequence']}"))
        after.append(lambda: metrics.INSTALMENTS.labels("missed").inc())
    status = status_after(allocation, today, ctx.policy)
    if status != "active":
        await agreements.set_status(conn, row["agreement_id"], status, now, "closed_at")
        after.append(lambda: metrics.AGREEMENTS.labels(status).inc())
        unpaid = sum(p.unpaid for p in allocation.instalments)
        data = (contract.AgreementFulfilled(fulfilled_at=now, **ref) if status == "fulfilled" else
                contract.AgreementBroken(missed_instalments=len(missed(allocation, today, ctx.policy.grace_days)),
                                         unpaid=unpaid, **ref))
        messages.append(_message(ctx, data, row, now, status))
    return messages


async def end_for_closed_loan(conn, ctx: Agreements, loan_id: str, now: datetime, after: AfterCommit) -> list:
    messages = []
    for row in await agreements.open_agreements_of_loan(conn, loan_id):
        await agreements.set_status(conn, row["agreement_id"], "ended", now, "closed_at")
        after.append(lambda: metrics.AGREEMENTS.labels("ended").inc())
        data = contract.AgreementEnded(agreement_id=row["agreement_id"], case_id=row["case_id"], loan_id=loan_id,
                                       customer_id=row["customer_id"], reason="loan_closed", ended_at=now)
        messages.append(_message(ctx, data, row, now, "ended"))
    return messages


def _message(ctx: Agreements, data, row, now: datetime, what: str):
    return agreement_message(data, topic=ctx.topic, key=row["loan_id"], time=now, cause=f"{row['agreement_id']}:{what}")
