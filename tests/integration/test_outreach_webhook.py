"""The webhook provider and the sender against a real local HTTP gateway and a real Postgres.

The gateway plays a correct idempotent gateway that misbehaves on purpose, by a script per
attempt id: a 5xx, an answer slower than the provider's timeout (the message was taken,
only the answer is lost), 409 on a replay, 400 for a bad number. Service time is advanced by
updating service_clock, never by waiting.
"""
import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web

from services.outreach.app import emitter
from services.outreach.channels.base import OutboundMessage
from services.outreach.channels.sender import Sender
from services.outreach.channels.webhook import WebhookProvider
from shared.db.migrate import migrate
from shared.db.tx import UnitOfWork
from tests.helpers.waiting import eventually

pytestmark = pytest.mark.integration
T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
PHONE, TOKEN, TIMEOUT, SLOW = "+15550000001", "gw-token", 0.3, 1.0


class Gateway:
    def __init__(self, scripts: dict[str, list]):
        self.scripts, self.requests, self.accepted = scripts, [], Counter()
        self.in_flight, self.most_in_flight = Counter(), Counter()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{kind}", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=SLOW * 2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def settled(self) -> bool:
        return not +self.in_flight  # no request in flight (a timed-out one may still be answering)

    async def handle(self, request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key")
        tries = sum(1 for seen in self.requests if seen["key"] == key)
        self.requests.append({"key": key, "path": request.path, "body": await request.json(),
                              "auth": request.headers.get("Authorization")})
        self.in_flight[key] += 1
        self.most_in_flight[key] = max(self.most_in_flight[key], self.in_flight[key])
        try:
            if self.accepted[key]:
                return web.json_response({"error": "already accepted"}, status=409)
            script = self.scripts.get(key, [])
            action = script[tries] if tries < len(script) else 202
            if action == "slow" or 200 <= action < 300:
                self.accepted[key] += 1
            if action == "slow":
                await asyncio.sleep(SLOW)
            return web.json_response({}, status=202 if action == "slow" else action)
        finally:
            self.in_flight[key] -= 1


async def start_gateway(scripts: dict[str, list]) -> tuple[Gateway, str]:
    gateway = Gateway(scripts)
    return gateway, await gateway.start()


@pytest.fixture
async def pool(stack):
    url = await stack.create_database("outreach")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=8)
    await migrate(pool, Path("services/outreach/migrations"))
    yield pool
    await pool.close()
    await stack.drop_database(url)


async def add_attempt(pool, attempt_id: str, channel: str = "sms", status: str = "pending", due: datetime = T0):
    await pool.execute(
        "INSERT INTO contact_attempts (attempt_id, customer_id, channel, recipient, destination, purpose,"
        " template_id, message, strategy_variant, policy_version, decided_at, next_dispatch_at, dispatch_status)"
        " VALUES ($1, 'cust-1', $2, 'borrower', $3, 'reminder', 'reminder-1', $4, 'champion', 'v1', $5, $5, $6)",
        attempt_id, channel, PHONE, "Please pay" if channel == "sms" else None, due, status)


async def every_attempt_clear(tx, attempt) -> bool:
    """These attempts have no people or cases behind them: the sender's mechanics alone are under test (the
    rule book's last check is tested with whole cases in tests/service/outreach)."""
    return True


async def set_clock(pool, now: datetime) -> None:
    await pool.execute("INSERT INTO service_clock (singleton, now) VALUES (true, $1)"
                       " ON CONFLICT (singleton) DO UPDATE SET now = excluded.now", now)


async def test_the_provider_classifies_what_a_real_server_answers():
    statuses = {"s200": 200, "s201": 201, "s409": 409, "s400": 400, "s404": 404, "s422": 422,
                "s429": 429, "s500": 500, "s503": 503}
    gateway, url = await start_gateway({key: [status] for key, status in statuses.items()} | {"slow": ["slow"]})
    provider = WebhookProvider(url + "/", TIMEOUT, TOKEN)
    await provider.start()
    try:
        results = {key: await provider.send(OutboundMessage(key, "sms", PHONE, "hi")) for key in [*statuses, "slow"]}
        call = await provider.send(OutboundMessage("c1", "call", PHONE, None))
        await eventually(gateway.settled, what="the slow answer finished")
        await gateway.runner.cleanup()  # nothing listens on the port any more
        refused = await provider.send(OutboundMessage("r1", "sms", PHONE, "hi"))
    finally:
        await provider.close()
        await gateway.runner.cleanup()
    expected = {"s200": "accepted", "s201": "accepted", "s409": "accepted", "s400": "rejected", "s404": "rejected",
                "s422": "rejected", "s429": "retry", "s500": "retry", "s503": "retry", "slow": "retry"}
    assert {key: result.status for key, result in results.items()} == expected
    assert results["slow"].detail == "timeout" and call.status == "accepted"
    assert refused.status == "retry" and refused.detail.startswith("connection error")
    assert all(PHONE not in result.detail for result in results.values())
    assert {seen["path"] for seen in gateway.requests} == {"/sms", "/calls"}
    assert gateway.requests[-1]["body"] == {"attempt_id": "c1", "channel": "call", "destination": PHONE, "text": None}
    assert all(seen["auth"] == f"Bearer {TOKEN}" and seen["key"] == seen["body"]["attempt_id"]
               for seen in gateway.requests)


async def test_nothing_is_sent_before_the_first_tick_nor_before_it_is_due(pool):
    gateway, url = await start_gateway({})
    provider = WebhookProvider(url, TIMEOUT)
    await provider.start()
    sender = Sender(UnitOfWork(pool, emitter("outreach-events")), provider,
                    on_failed=lambda attempt_id: asyncio.sleep(0), last_check=every_attempt_clear)
    try:
        await add_attempt(pool, "due-at-t0")
        await add_attempt(pool, "cancelled", status="cancelled")
        assert await sender.send_once() == 0  # no service_clock row yet
        await set_clock(pool, T0 - timedelta(seconds=1))
        assert await sender.send_once() == 0
        await set_clock(pool, T0)
        assert await sender.send_once() == 1
    finally:
        await provider.close()
        await gateway.runner.cleanup()
    assert [seen["key"] for seen in gateway.requests] == ["due-at-t0"]
    status = dict(await pool.fetch("SELECT attempt_id, dispatch_status FROM contact_attempts"))
    assert status == {"due-at-t0": "sent", "cancelled": "cancelled"}


SCRIPTS = {"ok-sms": [], "ok-call": [], "flaky": [500], "slow-first": ["slow"], "bad-number": [400],
           "always-down": [503] * 5, **{f"bulk-{n}": [] for n in range(30)}}
EXPECTED = {key: ("failed" if key in ("bad-number", "always-down") else "sent") for key in SCRIPTS}
TRIES = {"flaky": 2, "slow-first": 2, "always-down": 5}


async def test_two_senders_send_every_attempt_once_through_failures_and_timeouts(pool):
    gateway, url = await start_gateway(SCRIPTS)
    for key in SCRIPTS:
        await add_attempt(pool, key, channel="call" if key == "ok-call" else "sms")
    await add_attempt(pool, "cancelled", status="cancelled")
    await set_clock(pool, T0)
    failed_reported: list[str] = []

    async def on_failed(attempt_id: str) -> None:
        failed_reported.append(attempt_id)

    providers = [WebhookProvider(url, TIMEOUT, TOKEN) for _ in range(2)]
    senders = [Sender(UnitOfWork(pool, emitter("outreach-events")), provider, on_failed=on_failed, batch=4,
                      idle_poll_seconds=0.02, last_check=every_attempt_clear) for provider in providers]
    for provider in providers:
        await provider.start()
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    clock = T0

    async def all_settled() -> bool:
        nonlocal clock
        if not await pool.fetchval("SELECT count(*) FROM contact_attempts WHERE dispatch_status = 'pending'"):
            return True
        if await gateway.settled():  # retries come due by service time; one minute is well inside the lease
            clock += timedelta(minutes=1)
            await set_clock(pool, clock)
        return False

    try:
        await eventually(all_settled, timeout=60, interval=0.05, what="every attempt sent or failed")
    finally:
        for sender in senders:
            sender.stop()
        await asyncio.gather(*tasks)
        for provider in providers:
            await provider.close()
        await gateway.runner.cleanup()

    rows = {row["attempt_id"]: row for row in await pool.fetch("SELECT * FROM contact_attempts")}
    assert {key: rows[key]["dispatch_status"] for key in SCRIPTS} == EXPECTED
    assert {key: rows[key]["dispatch_tries"] for key in SCRIPTS} == {key: TRIES.get(key, 1) for key in SCRIPTS}
    # when each was handed over (service time) beside when it was decided; never for one not sent
    assert all((rows[key]["sent_at"] is not None) == (status == "sent") for key, status in EXPECTED.items())
    assert all(rows[key]["sent_at"] >= rows[key]["decided_at"] for key, status in EXPECTED.items() if status == "sent")
    assert sorted(failed_reported) == ["always-down", "bad-number"]
    requests = Counter(seen["key"] for seen in gateway.requests)
    assert requests == Counter({key: TRIES.get(key, 1) for key in SCRIPTS})  # nothing resent once answered
    assert rows["cancelled"]["dispatch_status"] == "cancelled" and "cancelled" not in requests
    assert set(gateway.accepted) == {key for key, status in EXPECTED.items() if status == "sent"}
    assert set(gateway.accepted.values()) == {1}  # the replay after the timeout was answered 409, not re-sent
    assert set(gateway.most_in_flight.values()) == {1}  # never two requests for one attempt at once
    assert all(seen["key"] == seen["body"]["attempt_id"] for seen in gateway.requests)
    assert {seen["path"] for seen in gateway.requests if seen["key"] == "ok-call"} == {"/calls"}
