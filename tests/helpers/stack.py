"""The real stack the tests run against, from the variables `deploy/local/stack.sh env` prints."""
import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest


@dataclass(frozen=True)
class Stack:
    bootstrap: str
    admin_url: str

    @classmethod
    def from_env(cls) -> "Stack":
        missing = [n for n in ("KAFKA_BOOTSTRAP_SERVERS", "ADMIN_DATABASE_URL") if not os.environ.get(n)]
        if missing:
            pytest.fail(f"{', '.join(missing)} not set: run the tests with `make test`, which starts the stack")
        return cls(os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["ADMIN_DATABASE_URL"])

    async def create_database(self, owner: str) -> str:
        """A throw-away database owned by the service role; returns the role's URL to it."""
        name = f"t_{owner}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        finally:
            await conn.close()
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(netloc=f"{owner}:{owner}@{parts.hostname}:{parts.port}", path=f"/{name}"))

    async def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        if not name.startswith("t_"):
            raise ValueError(f"refusing to drop {name!r}: tests only drop the databases they created")
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
