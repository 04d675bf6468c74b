"""Payment published -> visit cancelled: how soon a payment that clears a loan's overdue amount stops the
visit planned for it, under a steady background of payments that clear nothing.

Overdue detection and visit dispatch run in-process on their own fresh databases. Every loan is a few
days overdue (a day closed); the bench stands in for outreach and asks a visit for each target loan's
case (with no roster, each visit stays `unassignable`: still a visit not begun, so still cancellable).
Then, while part payments arrive on the other loans at `background_per_second`, each target loan is paid
up, one every `interval`; the latency is from just before the payment is sent to when the
`dispatch.visit_cancelled` record is read back. The baseline, in the same run, is one bare Kafka hop
at the same pacing: produce to a topic, read it back.
"""
import asyncio
import json
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.dispatch.app import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.overdue.app import create_app as overdue_app
from services.overdue.settings import OverdueSettings
from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.loan import Address, Borrower, Instalment, LoanOriginated, PaymentReceived
from shared.events.outreach import VisitRequested
from shared.kafka.admin import ensure_topics

ZONE = ZoneInfo("Asia/Shanghai")
CLOSED = date(2026, 1, 10)  # the last closed day: every loan is 5 days past due
GOAL_P99_MS = 250


async def run_paid_up_bench(env, *, loans: int = 400, targets: int = 100, background_per_second: float = 50.0,
                            interval: float = 0.05) -> dict:
    topics = {name: env.name(f"pu-{name}") for name in ("loans", "clock", "delinquency", "outreach", "dispatch",
                                                          "agreement", "hop")}
    await ensure_topics(env.bootstrap, {topic: 4 if name != "clock" else 1 for name, topic in topics.items()})
    producer = AIOKafkaProducer(bootstrap_servers=env.bootstrap, acks="all", enable_idempotence=True, linger_ms=0)
    await producer.start()
    try:
        baseline = await _bare_hop(env.bootstrap, producer, topics["hop"], targets, interval)
        async with env.database("pu_overdue") as overdue_url, env.database("pu_dispatch") as dispatch_url:
            runtimes = [overdue_app(_settings(OverdueSettings, env, overdue_url, topics, "overdue")),
                        dispatch_app(_settings(DispatchSettings, env, dispatch_url, topics, "dispatch"))]
            for runtime in runtimes:
                await runtime.start()
            try:
                measured = await _measure(env.bootstrap, producer, topics, loans, targets,
                                          background_per_second, interval)
            finally:
                for runtime in reversed(runtimes):
                    await runtime.stop()
    finally:
        await producer.stop()
    return {"loans": loans, "targets": targets, "background_payments_per_second": background_per_second,
            "pacing_seconds": interval, "bare_hop": baseline, "payment_to_visit_cancelled": measured,
            "ratio_p99_to_bare_hop": round(measured["p99_ms"] / max(baseline["p99_ms"], 0.1), 1),
            "goal_p99_ms": GOAL_P99_MS}


def _settings(settings_class, env, url: str, topics: dict[str, str], name: str):
    return settings_class().model_copy(update=dict(
        kafka_bootstrap_servers=env.bootstrap, database_url=url, http_host="127.0.0.1", http_port=0,
        consumer_group=env.name(f"pu-{name}"), loan_events_topic=topics["loans"], clock_topic=topics["clock"],
        delinquency_events_topic=topics["delinquency"], outreach_events_topic=topics["outreach"],
        dispatch_events_topic=topics["dispatch"], agreement_events_topic=topics["agreement"]))


async def _measure(bootstrap: str, producer: AIOKafkaProducer, topics: dict[str, str], loans: int, targets: int,
                   background_per_second: float, interval: float) -> dict:
    watcher = _Watcher(bootstrap, [topics["delinquency"], topics["dispatch"]])
    await watcher.start()
    try:
        for n in range(loans):
            await _send(producer, topics["loans"], _loan_id(n), _originated(n))
        await _send(producer, topics["clock"], "clock", _tick(CLOSED))
        cases = await watcher.wait_for("delinquency.loan_became_overdue", loans, key="loan_id", value="case_id")
        for n in range(targets):
            await _send(producer, topics["outreach"], _customer(n), _visit_request(n, cases[_loan_id(n)]))
        await watcher.wait_for("dispatch.visit_scheduled", targets, key="loan_id", value="visit_id")
        background = asyncio.create_task(_background(producer, topics["loans"], loans, targets, background_per_second))
        sent_at: dict[str, float] = {}
        try:
            for n in range(targets):
                sent_at[_loan_id(n)] = time.time()
                await _send(producer, topics["loans"], _loan_id(n), _payment(f"PU-{n}", _loan_id(n), 10_000))
                await asyncio.sleep(interval)
            cancelled = await watcher.wait_for("dispatch.visit_cancelled", targets, key="loan_id", value="seen_at")
        finally:
            background.cancel()
    finally:
        await watcher.stop()
    return _percentiles([(cancelled[loan] - sent) * 1000 for loan, sent in sent_at.items()])


async def _bare_hop(bootstrap: str, producer: AIOKafkaProducer, topic: str, count: int, interval: float) -> dict:
    watcher = _Watcher(bootstrap, [topic])
    await watcher.start()
    try:
        sent_at = {}
        for n in range(count):
            sent_at[str(n)] = time.time()
            await producer.send_and_wait(topic, json.dumps({"type": "hop", "data": {"n": str(n)}}).encode())
            await asyncio.sleep(interval)
        seen = await watcher.wait_for("hop", count, key="n", value="seen_at")
    finally:
        await watcher.stop()
    return _percentiles([(seen[n] - sent) * 1000 for n, sent in sent_at.items()])


class _Watcher:
    """Reads the topics from their end as they are written, remembering each event by type."""

    def __init__(self, bootstrap: str, topics: list[str]):
        self.consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                         auto_offset_reset="latest", fetch_max_wait_ms=10)
        self.seen: dict[str, list[dict]] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self.consumer.start()
        await self.consumer.seek_to_end()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for record in self.consumer:
            event = json.loads(record.value)
            self.seen.setdefault(event["type"], []).append(event["data"] | {"seen_at": time.time()})

    async def wait_for(self, event_type: str, count: int, *, key: str, value: str, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while len(self.seen.get(event_type, [])) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.seen.get(event_type, []))} of {count} {event_type} in {timeout}s")
            await asyncio.sleep(0.01)
        return {e[key]: e[value] for e in self.seen[event_type]}

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.consumer.stop()


async def _background(producer: AIOKafkaProducer, topic: str, loans: int, targets: int, per_second: float) -> None:
    """Part payments (100 each: they clear nothing) on the loans that are not targets, at a steady rate."""
    n = 0
    while True:
        loan_id = _loan_id(targets + n % max(loans - targets, 1))
        await _send(producer, topic, loan_id, _payment(f"BG-{n}", loan_id, 100))
        n += 1
        await asyncio.sleep(1 / per_second)


async def _send(producer: AIOKafkaProducer, topic: str, key: str, value: bytes) -> None:
    await producer.send_and_wait(topic, value=value, key=key.encode())


def _percentiles(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)
    return {"samples": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": round(ordered[-1], 1)}


def _loan_id(n: int) -> str:
    return f"PU-LN-{n:06d}"


def _customer(n: int) -> str:
    return f"PU-CU-{n:06d}"


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock_time(hour), ZONE)


def _originated(n: int) -> bytes:
    schedule = [Instalment(sequence=i + 1, due_date=date(2026, 1 + i, 5), amount_due=10_000) for i in range(3)]
    borrower = Borrower(customer_id=_customer(n), name="Bench Borrower", phones=["13800000000"],
                        address=Address(line="1 Bench Road", city="Shanghai", district="Xuhui"),
                        time_zone="Asia/Shanghai")
    loan = LoanOriginated(loan_id=_loan_id(n), product="phone", merchant="mall", currency="CNY", principal=30_000,
                          schedule=schedule, borrower=borrower)
    return encode(loan, source="bench/loan-system", time=_local(date(2025, 12, 5), 10), subject=_loan_id(n))[1]


def _payment(payment_id: str, loan_id: str, amount: int) -> bytes:
    paid_at = _local(CLOSED + timedelta(days=1), 10)  # the day after the last closed one: decided when read
    payment = PaymentReceived(payment_id=payment_id, loan_id=loan_id, amount=amount, currency="CNY",
                              paid_at=paid_at, channel="app")
    return encode(payment, source="bench/loan-system", time=paid_at, subject=loan_id)[1]


def _tick(closed: date) -> bytes:
    now = datetime.combine(closed + timedelta(days=1), clock_time(0, 0, 5), ZONE)
    return encode(ClockTicked(now=now), source="bench/clock", time=now, subject="clock")[1]


def _visit_request(n: int, case_id: str) -> bytes:
    start = _local(CLOSED + timedelta(days=3), 14)
    request = VisitRequested(visit_request_id=f"PU-VR-{n}", case_id=case_id, loan_id=_loan_id(n),
                             customer_id=_customer(n),
                             address=Address(line="1 Bench Road", city="Shanghai", district="Xuhui"),
                             time_zone="Asia/Shanghai", window_start=start, window_end=start + timedelta(hours=2),
                             confirmed_at=_local(CLOSED + timedelta(days=1), 9), overdue_amount=10_000, currency="CNY")
    return encode(request, source="bench/outreach", time=request.confirmed_at, subject=_customer(n))[1]
