import pytest

from tests.helpers.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.from_env()
