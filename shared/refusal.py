"""Why a use case will not do what it was asked: one exception family, mapped to HTTP in one place.

Use cases raise these and know nothing of HTTP; `shared/web.py` turns them into responses
(malformed 400, forbidden 403, not_found 404, conflict 409, invalid 422, unavailable 503). `details` carry ids
and states the caller may see, never personal data.
"""
from typing import Any


class Refusal(Exception):
    kind = "invalid"

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


class Malformed(Refusal):
    """The request itself is unreadable (a date that is not a date, terms that contradict)."""
    kind = "malformed"


class NotFound(Refusal):
    kind = "not_found"


class Conflict(Refusal):
    kind = "conflict"


class Forbidden(Refusal):
    kind = "forbidden"


class Invalid(Refusal):
    """Well-formed, but outside what the rules allow (policy, eligibility)."""
    kind = "invalid"


class Unavailable(Refusal):
    kind = "unavailable"


class ClockNotStarted(Unavailable):
    """No tick yet: the service does not know the time."""

    def __init__(self) -> None:
        super().__init__("clock_not_started", "no clock tick yet: the service does not know the time")
