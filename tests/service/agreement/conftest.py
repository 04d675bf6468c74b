from pathlib import Path

import pytest

import services.agreement.app as agreement_app
from tests.helpers.service_tier import ServiceDatabase
from tests.helpers.stack import Stack


@pytest.fixture(scope="session")
async def agreement_db(stack: Stack):
    database = ServiceDatabase(stack, "agreement", Path(agreement_app.MIGRATIONS))
    yield database
    await database.drop()
