"""Liveness that sees a loop making no progress, not only a loop that ended.

A loop (the consumer, the relay) marks when it takes work in hand and when it is done with it. It
is stalled when it has held one piece of work longer than the limit while every dependency
answers: then only a restart helps. While a dependency is down the loop waits on purpose (nothing
is acknowledged, order is kept), and restarting would not help, so that is not a stall.
"""
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._clock = clock
        self._busy_since: float | None = None

    @contextmanager
    def working(self) -> Iterator[None]:
        self._busy_since = self._clock()
        try:
            yield
        finally:
            self._busy_since = None

    def stalled(self, limit_seconds: float) -> bool:
        return self._busy_since is not None and self._clock() - self._busy_since > limit_seconds
