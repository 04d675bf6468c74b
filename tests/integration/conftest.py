import pytest

from tests.helpers.overdue import OverdueUnderTest
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.from_env()


@pytest.fixture
async def overdue(stack: Stack):
    service = await OverdueUnderTest.create(stack)
    await service.start()
    yield service
    await service.stop()
    await stack.drop_database(service.settings.database_url)
