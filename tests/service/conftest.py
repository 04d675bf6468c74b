"""Service-layer tier: a real Postgres (no Kafka); each test in a rolled-back transaction."""
import pytest

from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.from_env()
