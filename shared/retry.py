"""Retry in place with capped exponential backoff: order is kept because nothing moves on."""
import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Backoff:
    def __init__(self, first: float = 0.1, cap: float = 5.0):
        self.first, self.cap, self.current = first, cap, first

    async def wait(self, until: asyncio.Event | None = None) -> None:
        """Sleep the current delay (cut short once `until` is set), then double it up to the cap."""
        if until is None:
            await asyncio.sleep(self.current)
        else:
            try:
                await asyncio.wait_for(until.wait(), self.current)
            except TimeoutError:
                pass
        self.current = min(self.current * 2, self.cap)

    def reset(self) -> None:
        self.current = self.first


async def retry_transient(
    operation: Callable[[], Awaitable[T]],
    *,
    is_transient: Callable[[BaseException], bool],
    on_failure: Callable[[BaseException], None],
    on_success: Callable[[], None],
) -> T:
    """Run `operation` until it succeeds; transient failures wait and retry, others propagate."""
    backoff = Backoff()
    while True:
        try:
            result = await operation()
        except Exception as error:  # noqa: BLE001 - classified just below
            if not is_transient(error):
                raise
            on_failure(error)
            log.warning("dependency unavailable, retrying", extra={"error": type(error).__name__})
            await backoff.wait()
            continue
        on_success()
        return result
