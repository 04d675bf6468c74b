"""Where the benchmark runs: the stack's broker and database server, throw-away databases, machine facts."""
import glob
import os
import platform
import subprocess
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

SERVICE_ROLE = "overdue"
PREFIX = "b_"  # only databases with this prefix are ever dropped


@dataclass(frozen=True)
class BenchEnv:
    bootstrap: str
    admin_url: str
    run_id: str

    @classmethod
    def from_environment(cls) -> "BenchEnv":
        missing = [n for n in ("KAFKA_BOOTSTRAP_SERVERS", "ADMIN_DATABASE_URL") if not os.environ.get(n)]
        if missing:
            raise SystemExit(f"{', '.join(missing)} not set: run `make bench`, "
                             "or eval \"$(bash deploy/local/stack.sh env)\"")
        return cls(os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["ADMIN_DATABASE_URL"], uuid.uuid4().hex[:8])

    def name(self, label: str) -> str:
        """A unique topic / group name for this run."""
        return f"bench-{self.run_id}-{label}"

    @asynccontextmanager
    async def database(self, label: str):
        """A fresh database owned by the service role; yields its URL, drops it afterwards."""
        name = f"{PREFIX}{label}_{self.run_id}"
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}" OWNER "{SERVICE_ROLE}"')
        finally:
            await admin.close()
        parts = urlsplit(self.admin_url)
        netloc = f"{SERVICE_ROLE}:{SERVICE_ROLE}@{parts.hostname}:{parts.port}"
        try:
            yield urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))
        finally:
            admin = await asyncpg.connect(self.admin_url)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()


async def machine_info(env: BenchEnv) -> dict:
    conn = await asyncpg.connect(env.admin_url)
    try:
        postgres = await conn.fetchval("SHOW server_version")
        pg_settings = {k: await conn.fetchval(f"SHOW {k}") for k in ("shared_buffers", "work_mem", "fsync")}
    finally:
        await conn.close()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres": postgres,
        "postgres_settings": pg_settings,
        "kafka": _kafka_version(),
        "kafka_bootstrap": env.bootstrap,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews results
    }


def code_version() -> dict:
    """The commit measured, and whether the working tree differs from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    return {"commit": git("rev-parse", "HEAD") or "unknown",
            "dirty": bool(git("status", "--porcelain", "--", "services", "shared"))}


def _kafka_version() -> str:
    """The local stack's broker version, from its jar; unknown for another broker."""
    home = os.environ.get("STACK_HOME", os.path.expanduser("~/.cache/collections-stack"))
    jars = glob.glob(os.path.join(home, "kafka-libs", "kafka-server-[0-9]*.jar"))
    return jars[0].rsplit("-", 1)[1].removesuffix(".jar") if jars else "unknown"


async def delete_run_topics(env: BenchEnv) -> int:
    """Delete the topics this run created (their names carry the run id); returns how many."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=env.bootstrap)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if f"bench-{env.run_id}-" in t]
        if ours:
            await admin.delete_topics(ours)
        return len(ours)
    finally:
        await admin.close()
