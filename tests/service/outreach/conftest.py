from pathlib import Path

import pytest

import services.outreach.app as outreach_app
from tests.helpers.service_tier import ServiceDatabase
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
async def outreach_db(stack: Stack):
    database = ServiceDatabase(stack, "outreach", Path(outreach_app.MIGRATIONS))
    yield database
    await database.drop()
