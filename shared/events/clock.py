"""The clock: time as an event, so simulations and tests drive it deterministically."""
from shared.events.base import Contract, Instant


class ClockTicked(Contract):
    """The time is now `now`. Ticks only move forward; a service ignores one that goes back."""

    now: Instant
