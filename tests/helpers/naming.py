"""Unique names for what a test creates on the shared broker, marked with the pytest session's tag so that
a session removes its own topics at its end and never another session's running beside it."""
import os
import uuid

SESSION_TAG_VARIABLE = "TEST_SESSION_TAG"


def session_tag() -> str:
    """The tag of this pytest session: set once by the controller, inherited by its xdist workers and by the
    service processes the tests start."""
    return os.environ.setdefault(SESSION_TAG_VARIABLE, "s" + uuid.uuid4().hex[:5])


def unique_suffix(length: int = 10) -> str:
    return session_tag() + uuid.uuid4().hex[:length]
