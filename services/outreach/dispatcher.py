"""Sends due contact attempts through the provider without holding row locks while a gateway answers.

Claim (a short transaction: due pending attempts, FOR UPDATE SKIP LOCKED, leased by pushing
next_dispatch_at forward in service time), send outside any transaction, then record each
result in its own short statement: accepted -> 'sent'; retry -> another try after a capped
exponential backoff in service time, 'failed' after max_tries; rejected -> 'failed'. Every
'failed' is reported once through on_failed. A lease that runs out mid-send, or a crash
between send and record, resends with the same idempotency key: a correct gateway ignores it.
"""
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg

from services.outreach.channels import dispatch_store as store
from services.outreach.channels import metrics
from services.outreach.channels.base import OutboundMessage, Provider, SendResult
from shared.db.transient import is_transient
from shared.metrics import TRANSIENT_RETRIES
from shared.retry import Backoff, retry_transient

log = logging.getLogger(__name__)
Clock = Callable[[], Awaitable[datetime | None]]
CHANNELS = ("sms", "call")
FIRST_RETRY, MAX_RETRY = timedelta(seconds=30), timedelta(minutes=15)


def retry_delay(tries: int) -> timedelta:
    """Service time to wait after the `tries`-th failed try: 30 s, 1 min, 2 min, ... at most 15 min."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), MAX_RETRY)


class Dispatcher:
    def __init__(self, pool: asyncpg.Pool, provider: Provider, clock: Clock | None = None, *,
                 on_failed: Callable[[str], Awaitable[None]], max_tries: int = 5, batch: int = 100,
                 lease: timedelta = timedelta(minutes=5), concurrency: int = 10, idle_poll_seconds: float = 0.5):
        self.pool, self.provider, self.on_failed = pool, provider, on_failed
        self.clock = clock or (lambda: store.service_now(pool))
        self.max_tries, self.batch, self.lease, self.idle_poll_seconds = max_tries, batch, lease, idle_poll_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._wake, self._stopping = asyncio.Event(), asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Dispatch until stopped; sends in flight finish and are recorded, the rest wait for the next start."""
        backoff = Backoff()
        while not self._stopping.is_set():
            try:
                claimed = await self.dispatch_once()
                backoff.reset()
            except Exception as error:  # noqa: BLE001 - the dispatcher must outlive outages
                TRANSIENT_RETRIES.labels("database").inc()
                log.warning("dispatch failed, retrying", extra={"error": type(error).__name__})
                await backoff.wait()
                continue
            if claimed < self.batch:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
                except asyncio.TimeoutError:
                    pass

    async def dispatch_once(self) -> int:
        """Claim, send and record one batch of due attempts; returns how many were claimed."""
        now = await self.clock()
        if now is None:
            return 0  # no tick yet: no service time, nothing is due
        rows = await store.claim_due(self.pool, now, self.batch, self.lease)
        done = await asyncio.gather(*(self._dispatch(row, now) for row in rows), return_exceptions=True)
        errors = [error for error in done if isinstance(error, BaseException)]
        if errors:
            raise errors[0]  # unrecorded results: the lease runs out and the attempts are resent, idempotently
        return len(rows)

    async def _dispatch(self, row: asyncpg.Record, now: datetime) -> None:
        async with self._slots:
            result = await self._send(row)
        if result.status == "accepted":
            await store.record_sent(self.pool, row["attempt_id"])
            return
        tries = row["dispatch_tries"] + 1
        gave_up = result.status == "rejected" or tries >= self.max_tries
        # the wait counts from when the failure was seen: a send can outlast a tick (up to its timeout)
        retry_at = None if gave_up else (await self._clock_or(now)) + retry_delay(tries)
        if await store.record_not_sent(self.pool, row["attempt_id"], tries, retry_at) and gave_up:
            reason = "rejected" if result.status == "rejected" else "retries_exhausted"
            metrics.GIVEN_UP.labels(_channel(row), reason).inc()
            await self._report_failed(row["attempt_id"])

    async def _clock_or(self, fallback: datetime) -> datetime:
        try:
            return await self.clock() or fallback
        except (asyncpg.PostgresError, OSError):  # recording the result matters more than a fresher time
            return fallback

    async def _send(self, row: asyncpg.Record) -> SendResult:
        channel = _channel(row)
        started = time.perf_counter()
        if channel == "unsupported":
            result = SendResult("rejected", "unsupported channel")
        else:
            try:
                result = await self.provider.send(
                    OutboundMessage(row["attempt_id"], channel, row["destination"], row["message"]))
            except Exception as error:  # noqa: BLE001 - a provider bug must not lose the attempt
                result = SendResult("retry", f"provider error: {type(error).__name__}")
        metrics.PROVIDER_LATENCY.labels(channel).observe(time.perf_counter() - started)
        metrics.PROVIDER_CALLS.labels(channel, result.status).inc()
        log.info("contact attempt dispatched", extra={"attempt_id": row["attempt_id"], "channel": channel,
                                                     "result": result.status, "detail": result.detail})
        return result

    async def _report_failed(self, attempt_id: str) -> None:
        try:
            await retry_transient(lambda: self.on_failed(attempt_id), is_transient=is_transient,
                                  on_failure=lambda _: TRANSIENT_RETRIES.labels("database").inc(),
                                  on_success=lambda: None)
        except Exception as error:  # noqa: BLE001 - the attempt stays 'failed'; the lost report is counted
            metrics.FAILURE_REPORTS_LOST.inc()
            log.error("failed attempt not reported", extra={"attempt_id": attempt_id, "error": type(error).__name__})


def _channel(row: asyncpg.Record) -> str:
    return row["channel"] if row["channel"] in CHANNELS else "unsupported"
