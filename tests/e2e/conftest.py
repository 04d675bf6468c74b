import pytest

from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.from_env()
