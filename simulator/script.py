"""The book as a day-by-day plan of outgoing messages, with chaos and a clock tick closing each day."""
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.events.loan import PaymentReceived
from simulator.book import CURRENCY, Book, BookConfig, build_book
from simulator.chaos import ChaosRates, add_duplicates_and_malformed, payments_first
from simulator.contacts import contact_update
from simulator.messages import (
    DUPLICATE,
    MALFORMED,
    VALID,
    Message,
    Topics,
    clock_tick,
    encode_event,
    intraday_tick,
)
from simulator.timeline import EventRates, Occurrence, loan_occurrences

PORTFOLIO_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class DayPlan:
    business_date: date
    messages: tuple[Message, ...]
    """In sending order; the last one is the clock tick closing the day."""


@dataclass(frozen=True)
class PlanCounts:
    valid_by_type: dict[str, int] = field(default_factory=dict)
    """Distinct valid events by type, clock ticks included."""
    duplicates: int = 0
    malformed_by_reason: dict[str, int] = field(default_factory=dict)
    out_of_order: int = 0

    @property
    def valid(self) -> int:
        return sum(self.valid_by_type.values())

    @property
    def malformed(self) -> int:
        return sum(self.malformed_by_reason.values())

    @property
    def messages(self) -> int:
        return self.valid + self.duplicates + self.malformed


@dataclass(frozen=True)
class Plan:
    seed: int
    topics: Topics
    days: tuple[DayPlan, ...]
    counts: PlanCounts
    valid_event_ids: frozenset[str]

    def messages(self) -> Iterator[Message]:
        for day in self.days:
            yield from day.messages


def build_plan(
    book: Book, *, chaos: ChaosRates = ChaosRates(), rates: EventRates = EventRates(),
    topics: Topics = Topics(), portfolio_zone: str = PORTFOLIO_ZONE, intraday_ticks: tuple[time, ...] = (),
) -> Plan:
    """`intraday_ticks` are local times at which the clock also ticks during each day, after the
    events that happened before them; the tick closing the day always comes last."""
    seed, zone = book.config.seed, ZoneInfo(portfolio_zone)
    chaos_rng = random.Random(f"chaos:{seed}")
    by_day: dict[date, list[Occurrence]] = defaultdict(list)
    for occurrence in _all_occurrences(book, chaos, rates, zone, chaos_rng):
        business_date = occurrence.at.astimezone(zone).date()
        if book.config.start_date <= business_date < book.end_date:
            by_day[business_date].append(occurrence)
    days = []
    for offset in range(book.config.days):
        business_date = book.config.start_date + timedelta(days=offset)
        occurrences = sorted(by_day.get(business_date, ()), key=lambda occurrence: occurrence.at)
        messages: list[Message] = []
        slices = list(_slices(business_date, intraday_ticks, zone, seed, topics))
        parts = _parts(occurrences, [until for until, _ in slices])
        for part, (_, tick) in enumerate(slices):
            ordered = [o for o, p in zip(occurrences, parts) if p == part]
            encoded = [_encode(seed, topics, occurrence) for occurrence in ordered]
            early = {m.event_id for o, m in zip(ordered, encoded) if o.send_before_origination}
            encoded = payments_first(encoded, early)
            messages += add_duplicates_and_malformed(encoded, chaos, chaos_rng, seed, f"{business_date}/{part}")
            messages.append(tick)
        days.append(DayPlan(business_date, tuple(messages)))
    return _with_counts(seed, topics, days, sum(o.send_before_origination for d in by_day.values() for o in d))


def _parts(occurrences: list[Occurrence], boundaries: list[datetime | None]) -> list[int]:
    """Which slice of the day each occurrence is sent in; a payment sent before its loan's
    origination travels in the origination's slice."""
    def part(at: datetime) -> int:
        return next(i for i, until in enumerate(boundaries) if until is None or at < until)

    origination_part = {o.key: part(o.at) for o in occurrences if o.model.__class__.__name__ == "LoanOriginated"}
    return [origination_part.get(o.key, part(o.at)) if o.send_before_origination else part(o.at)
            for o in occurrences]


def _slices(business_date: date, intraday: tuple[time, ...], zone: ZoneInfo, seed: int, topics: Topics):
    """(events before this instant, the tick at it) for each intraday tick, then the day's closing tick."""
    for wall in sorted(intraday):
        at = datetime.combine(business_date, wall, tzinfo=zone)
        yield at, intraday_tick(seed, topics.clock, at)
    yield None, clock_tick(seed, topics.clock, business_date, zone)


def _all_occurrences(book, chaos, rates, zone, chaos_rng) -> Iterator[Occurrence]:
    seed = book.config.seed
    last_origination: dict[str, date] = {}
    for loan in book.loans:
        out_of_order = chaos_rng.random() < chaos.out_of_order_rate
        yield from loan_occurrences(loan, rates, zone, seed, out_of_order)
        last_origination[loan.customer_id] = max(loan.originated_on,
                                                 last_origination.get(loan.customer_id, loan.originated_on))
    for borrower in book.borrowers:
        if borrower.customer_id in last_origination:
            update = contact_update(borrower, last_origination[borrower.customer_id], rates.contact_update_rate,
                                    zone, seed)
            if update:
                yield update


def _encode(seed: int, topics: Topics, occurrence: Occurrence) -> Message:
    return encode_event(seed, topics.loan_events, occurrence.model, natural_key=occurrence.natural_key,
                        key=occurrence.key, at=occurrence.at)


def _with_counts(seed: int, topics: Topics, days: list[DayPlan], out_of_order: int) -> Plan:
    messages = [message for day in days for message in day.messages]
    valid = [message for message in messages if message.kind == VALID]
    counts = PlanCounts(
        valid_by_type=dict(sorted(Counter(message.event_type for message in valid).items())),
        duplicates=sum(message.kind == DUPLICATE for message in messages),
        malformed_by_reason=dict(sorted(Counter(m.reason for m in messages if m.kind == MALFORMED).items())),
        out_of_order=out_of_order,
    )
    return Plan(seed, topics, tuple(days), counts, frozenset(message.event_id for message in valid))


def payment_flood(
    seed: int, loans: int, payments_per_loan: int, *, start_date: date = date(2026, 1, 1),
    topic: str = "loan-events", portfolio_zone: str = PORTFOLIO_ZONE,
) -> Iterator[Message]:
    """For the benchmark: `loans` originations, then `payments_per_loan` small payments for each
    loan, round-robin over the loans (so every partition gets work). Deterministic, no chaos."""
    zone = ZoneInfo(portfolio_zone)
    book = build_book(BookConfig(seed=seed, customers=loans, start_date=start_date, days=1,
                                 loans_per_customer=(1, 1), id_prefix="BENCH-"))
    originated_at = datetime.combine(start_date, time(8), tzinfo=zone)
    for loan in book.loans:
        yield encode_event(seed, topic, loan.originated_event(), natural_key=f"flood/originated/{loan.loan_id}",
                           key=loan.loan_id, at=originated_at)
    for number in range(1, payments_per_loan + 1):
        paid_at = originated_at + timedelta(seconds=number)
        for loan in book.loans:
            payment_id = f"{loan.loan_id}-F{number:07d}"
            model = PaymentReceived(payment_id=payment_id, loan_id=loan.loan_id, currency=CURRENCY, paid_at=paid_at,
                                    amount=max(1, loan.schedule[0].amount_due // payments_per_loan), channel="alipay")
            yield encode_event(seed, topic, model, natural_key=f"flood/payment/{payment_id}", key=loan.loan_id,
                               at=paid_at)
