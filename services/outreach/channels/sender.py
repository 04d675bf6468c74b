"""Sends due contact attempts through the provider without holding row locks while a gateway answers.

Claim (a short unit of work: due pending attempts, FOR UPDATE SKIP LOCKED, leased by pushing
next_dispatch_at forward in service time). Then, for each attempt, the hand-off: a short unit of
work that takes the attempt only if it is still to be sent on this try (not cancelled meanwhile,
not recorded by another sender) and runs `last_check`, the rule book on the latest facts (it
records why, if it stops the attempt); its time is the attempt's `sent_at`. Send outside any
transaction, then record the result in its own short unit of work: accepted -> 'sent'; retry ->
another try after a capped exponential backoff in service time, 'failed' after max_tries;
rejected -> 'failed'. Every 'failed' is reported once through on_failed. A lease that runs out
mid-send, or a crash between send and record, resends with the same idempotency key: a correct
gateway ignores it.

A Sender is one of the service's workers (shared/runtime.py): it starts and closes its provider.
"""
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg

from services.outreach.channels import metrics
from services.outreach.channels.base import OutboundMessage, Provider, SendResult
from services.outreach.store import sends
from shared.db.transient import is_transient
from shared.db.tx import Tx, UnitOfWork
from shared.metrics import TRANSIENT_RETRIES
from shared.retry import Backoff, retry_transient

log = logging.getLogger(__name__)
CHANNELS = ("sms", "call")
LastCheck = Callable[[Tx, asyncpg.Record], Awaitable[bool]]  # may this attempt be handed over now?
FIRST_RETRY, MAX_RETRY = timedelta(seconds=30), timedelta(minutes=15)


def retry_delay(tries: int) -> timedelta:
    """Service time to wait after the `tries`-th failed try: 30 s, 1 min, 2 min, ... at most 15 min."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), MAX_RETRY)


class Sender:
    def __init__(self, unit: UnitOfWork, provider: Provider, *, on_failed: Callable[[str], Awaitable[None]],
                 last_check: LastCheck, max_tries: int = 5, batch: int = 100,
                 lease: timedelta = timedelta(minutes=5), concurrency: int = 10, idle_poll_seconds: float = 0.5):
        self.unit, self.provider, self.on_failed, self.last_check = unit, provider, on_failed, last_check
        self.max_tries, self.batch, self.lease, self.idle_poll_seconds = max_tries, batch, lease, idle_poll_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._wake, self._stopping = asyncio.Event(), asyncio.Event()

    async def start(self) -> None:
        await self.provider.start()

    async def close(self) -> None:
        await self.provider.close()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Send until stopped; sends in flight finish and are recorded, the rest wait for the next start."""
        backoff = Backoff()
        while not self._stopping.is_set():
            try:
                claimed = await self.send_once()
                backoff.reset()
            except Exception as error:  # noqa: BLE001 - the sender must outlive outages
                TRANSIENT_RETRIES.labels("database").inc()
                log.warning("sending failed, retrying", extra={"error": type(error).__name__})
                await backoff.wait()
                continue
            if claimed < self.batch:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
                except TimeoutError:
                    pass

    async def send_once(self) -> int:
        """Claim, send and record one batch of due attempts; returns how many were claimed."""
        claimed = await self.unit.run(self._claim, require_clock=False)
        if claimed is None:
            return 0  # no tick yet: no service time, nothing is due
        rows, now = claimed
        done = await asyncio.gather(*(self._send_and_record(row, now) for row in rows), return_exceptions=True)
        errors = [error for error in done if isinstance(error, BaseException)]
        if errors:
            raise errors[0]  # unrecorded results: the lease runs out and the attempts are resent, idempotently
        return len(rows)

    async def _claim(self, tx: Tx) -> tuple[list[asyncpg.Record], datetime] | None:
        if tx.now is None:
            return None
        return await sends.claim_due(tx.conn, tx.now, self.batch, self.lease), tx.now

    async def _send_and_record(self, row: asyncpg.Record, claimed_at: datetime) -> None:
        async with self._slots:
            handed_off = await self.unit.run(lambda tx: self._hand_off(tx, row, claimed_at), require_clock=False)
            if handed_off is None:
                return
            result = await self._send(row)
        if result.status == "accepted":
            await self.unit.run(lambda tx: sends.record_sent(tx.conn, row["attempt_id"], handed_off),
                                require_clock=False)
            return
        tries = row["dispatch_tries"] + 1
        gave_up = result.status == "rejected" or tries >= self.max_tries

        async def record_not_sent(tx: Tx) -> bool:
            # the wait counts from when the failure was seen: a send can outlast a tick (up to its timeout)
            retry_at = None if gave_up else (tx.now or claimed_at) + retry_delay(tries)
            return await sends.record_not_sent(tx.conn, row["attempt_id"], tries, retry_at)

        if await self.unit.run(record_not_sent, require_clock=False) and gave_up:
            reason = "rejected" if result.status == "rejected" else "retries_exhausted"
            metrics.GIVEN_UP.labels(_channel(row), reason).inc()
            await self._report_failed(row["attempt_id"])

    async def _hand_off(self, tx: Tx, row: asyncpg.Record, claimed_at: datetime) -> datetime | None:
        """The instant the attempt goes to the provider, or None: it is not to be sent (any more)."""
        attempt = await sends.take_unsent(tx.conn, row["attempt_id"], row["dispatch_tries"])
        if attempt is None or not await self.last_check(tx, attempt):
            return None
        return tx.now or claimed_at

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
        log.info("contact attempt sent", extra={"attempt_id": row["attempt_id"], "channel": channel,
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
