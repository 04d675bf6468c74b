from pathlib import Path

import pytest

import services.dispatch.app as dispatch_app
from tests.helpers.service_tier import ServiceDatabase
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
async def dispatch_db(stack: Stack):
    database = ServiceDatabase(stack, "dispatch", Path(dispatch_app.MIGRATIONS))
    yield database
    await database.drop()
