from pathlib import Path

import pytest

import services.overdue.app as overdue_app
from tests.helpers.service_tier import ServiceDatabase
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
async def overdue_db(stack: Stack):
    database = ServiceDatabase(stack, "overdue", Path(overdue_app.MIGRATIONS))
    yield database
    await database.drop()
