"""Where a deploy runs migrations as their own job: `python -m services.<name> migrate`, and a
service started with MIGRATE_ON_START=false that refuses a database whose schema is behind."""
import asyncio
import os
import sys

import asyncpg
import pytest

from tests.helpers.overdue import OverdueUnderTest


async def applied(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations ORDER BY name")]
    finally:
        await conn.close()


async def run_migrate_command(service: str, database_url: str) -> tuple[int, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LOG_LEVEL="INFO")
    env.pop(f"{service.upper()}_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"services.{service}", "migrate", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, output.decode()


async def test_a_service_without_migrate_on_start_refuses_a_database_whose_schema_is_behind(stack):
    service = await OverdueUnderTest.create(stack, migrate_on_start=False, create_topics=False,
                                            schema_wait_seconds=0)
    try:
        with pytest.raises(RuntimeError, match="python -m services.overdue migrate"):
            await service.start()
        service.runtime = None  # start() failed: nothing left to stop (the runtime closed what it opened)
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)


@pytest.mark.parametrize("name", ["overdue", "outreach", "dispatch", "agreement"])
async def test_the_migrate_command_applies_every_migration_once_and_then_the_service_starts_without(stack, name):
    url = await stack.create_database(name)
    try:
        code, output = await run_migrate_command(name, url)
        assert code == 0, output
        first = await applied(url)
        assert first and any(n.startswith("shared/") for n in first) and any(n.startswith("service/") for n in first)
        code, output = await run_migrate_command(name, url)  # a second run (the job re-run) changes nothing
        assert code == 0, output
        assert await applied(url) == first
        assert '"applied": 0' in output, output
    finally:
        await stack.drop_database(url)


async def test_overdue_starts_on_a_database_the_job_migrated_without_migrating_itself(stack):
    service = await OverdueUnderTest.create(stack, migrate_on_start=False)
    try:
        code, output = await run_migrate_command("overdue", service.settings.database_url)
        assert code == 0, output
        await service.start()
        assert service.runtime.readiness.ready
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)


async def test_the_service_process_exits_with_the_reason_when_its_schema_is_behind(stack):
    url = await stack.create_database("overdue")
    env = dict(os.environ, DATABASE_URL=url, MIGRATE_ON_START="false", SCHEMA_WAIT_SECONDS="1", HTTP_PORT="0",
               LOG_LEVEL="INFO")
    env.pop("OVERDUE_DATABASE_URL", None)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.overdue", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    finally:
        await stack.drop_database(url)
    assert process.returncode != 0
    assert "python -m services.overdue migrate" in output.decode()


async def test_a_service_started_before_its_migration_job_waits_for_it(stack):
    service = await OverdueUnderTest.create(stack, migrate_on_start=False, schema_wait_seconds=120)
    try:
        starting = asyncio.create_task(service.start())
        await asyncio.sleep(1.0)
        assert not starting.done(), "started on a schema that is behind"
        code, output = await run_migrate_command("overdue", service.settings.database_url)
        assert code == 0, output
        await asyncio.wait_for(starting, 60)  # picks the finished migrations up within a few seconds
        assert service.runtime.readiness.ready
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)


async def test_liveness_fails_once_a_service_loop_has_died(stack):
    service = await OverdueUnderTest.create(stack)
    try:
        await service.start()
        assert (await service.http("GET", "/healthz"))[0] == 200

        async def dies():
            raise RuntimeError("the consumer loop broke")

        died = asyncio.create_task(dies(), name="consumer")
        await asyncio.gather(died, return_exceptions=True)
        service.runtime._loop_ended(died)  # what the runtime's done-callback does for its own loops
        status, body = await service.http("GET", "/healthz")
        assert (status, body) == (500, {"status": "loop_ended"})
        assert (await service.http("GET", "/readyz"))[0] == 503
    finally:
        await service.stop()
        await stack.drop_database(service.settings.database_url)
