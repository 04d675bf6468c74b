"""Dispatch's batch handler: visit requests, cancelling events and the clock in; visit events out."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from services.dispatch import convert, metrics
from services.dispatch.context import Dispatch
from services.dispatch.domain.cancellation import cancel_reason, replan_after_no_show
from services.dispatch.events_out import dispatch_message
from services.dispatch.planner import assign_visit
from services.dispatch.sandbox_team import play_field_team
from services.dispatch.store import visits
from shared.db import clock as clock_store
from shared.db.outbox import OutboxMessage
from shared.events import dispatch as contract
from shared.kafka.batch import AfterCommit
from shared.kafka.records import Incoming
from shared.metrics import CLOCK_LAST_TICK, CLOCK_NOW


@dataclass(frozen=True)
class DispatchHandler:
    ctx: Dispatch

    async def __call__(self, conn: asyncpg.Connection, events: list[Incoming], after: AfterCommit) -> list[OutboxMessage]:
        messages: list[OutboxMessage] = []
        clock = await clock_store.read_clock(conn)
        for event in events:
            now = clock.now or event.envelope.time
            if event.type == "outreach.visit_requested":
                messages += await self._schedule(conn, event.data, now, after)
            elif event.type == "clock.ticked":
                messages += await self._tick(conn, event.data.now, after)
            elif cancel_reason(event.type):
                messages += await cancel_open_visits(conn, self.ctx, event, now, after)
        return messages

    async def _schedule(self, conn, request, now: datetime, after: AfterCommit) -> list[OutboxMessage]:
        visit_id = f"visit-{request.visit_request_id}"
        address = request.address
        row = dict(visit_id=visit_id, visit_request_id=request.visit_request_id, case_id=request.case_id,
                   loan_id=request.loan_id, customer_id=request.customer_id,
                   area=convert.area_of(address.city, address.district), lat=address.latitude,
                   lon=address.longitude, address=address.model_dump(mode="json"), time_zone=request.time_zone,
                   window_start=request.window_start, window_end=request.window_end,
                   overdue_amount=request.overdue_amount, currency=request.currency)
        if not await visits.add(conn, row, now):
            return []  # the same request again
        after.append(metrics.VISITS_SCHEDULED.inc)
        scheduled = contract.VisitScheduled(visit_id=visit_id, case_id=request.case_id, loan_id=request.loan_id,
                                            customer_id=request.customer_id, visit_request_id=request.visit_request_id,
                                            window_start=request.window_start, window_end=request.window_end,
                   overdue_amount=request.overdue_amount, currency=request.currency)
        return [dispatch_message(scheduled, topic=self.ctx.topic, key=request.customer_id, time=now, cause=visit_id),
                *await assign_visit(conn, self.ctx, await visits.visit(conn, visit_id), now, after)]

    async def _tick(self, conn, now: datetime, after: AfterCommit) -> list[OutboxMessage]:
        clock = await clock_store.read_clock(conn)
        if clock.now is not None and now <= clock.now:
            return []
        await clock_store.save_clock(conn, clock_store.ClockState(now, clock.last_closed_date))
        after.append(lambda: (CLOCK_NOW.set(now.timestamp()), CLOCK_LAST_TICK.set_to_current_time()))
        messages: list[OutboxMessage] = []
        if self.ctx.sandbox_field_team:
            messages += await play_field_team(conn, self.ctx, now, after)
        for row in await visits.overdue_for_check_in(conn, now):
            messages += await self._no_show(conn, row, now, after)
        return messages

    async def _no_show(self, conn, row, now: datetime, after: AfterCommit) -> list[OutboxMessage]:
        """Nobody checked in: re-planned for the same hours the next day once, then handed back to outreach."""
        await visits.note_no_show(conn, row["visit_id"])
        ref = _ref(row)
        if replan_after_no_show(row["no_shows"] + 1, self.ctx.policy) == "replan":
            await visits.move_window(conn, row["visit_id"], row["window_start"] + timedelta(days=1),
                                     row["window_end"] + timedelta(days=1))
            missed = contract.VisitMissed(replanned=True, **ref)
            after.append(lambda: metrics.VISITS_MISSED.labels("replanned").inc())
            messages = [dispatch_message(missed, topic=self.ctx.topic, key=row["customer_id"], time=now,
                                         cause=f"{row['visit_id']}:missed:1")]
            return messages + await assign_visit(conn, self.ctx, await visits.visit(conn, row["visit_id"]), now,
                                                 after, replacing=list(row["collector_ids"]), why="no_show")
        await visits.cancel(conn, row["visit_id"], "no_show_reported")
        after.append(lambda: metrics.VISITS_MISSED.labels("reported").inc())
        missed = contract.VisitMissed(replanned=False, **ref)
        cancelled = contract.VisitCancelled(reason="no_show_reported", **ref)
        return [dispatch_message(m, topic=self.ctx.topic, key=row["customer_id"], time=now,
                                 cause=f"{row['visit_id']}:missed:final") for m in (missed, cancelled)]


async def cancel_open_visits(conn, ctx: Dispatch, event: Incoming, now: datetime,
                             after: AfterCommit) -> list[OutboxMessage]:
    """The reason for the visit went away before it happened: cured, settled, closed, complaint, agreement."""
    reason = cancel_reason(event.type)
    data = event.data
    loan_id = getattr(data, "loan_id", None) if not event.type.startswith("outreach.") else None
    rows = await visits.open_visits(conn, loan_id=loan_id,
                                    customer_id=data.customer_id if loan_id is None else None)
    messages = []
    for row in rows:
        await visits.cancel(conn, row["visit_id"], reason)
        after.append(lambda: metrics.VISITS_CANCELLED.labels(reason).inc())
        cancelled = contract.VisitCancelled(reason=reason, **_ref(row))
        messages.append(dispatch_message(cancelled, topic=ctx.topic, key=row["customer_id"], time=now,
                                         cause=f"{row['visit_id']}:{reason}"))
    return messages


def _ref(row) -> dict:
    return dict(visit_id=row["visit_id"], case_id=row["case_id"], loan_id=row["loan_id"],
                customer_id=row["customer_id"])
