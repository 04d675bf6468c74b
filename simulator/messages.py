"""Outgoing Kafka messages and deterministic event ids."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.registry import TYPE_OF_MODEL

SOURCE = "/upstream/mall-loan-system"
CLOCK_SOURCE = "/simulator/clock"
CLOCK_KEY = "clock"
TICK_AFTER_MIDNIGHT = timedelta(seconds=5)
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-5e9f-8a1b-2c3d4e5f6a7b")

VALID, DUPLICATE, MALFORMED = "valid", "duplicate", "malformed"


@dataclass(frozen=True)
class Topics:
    loan_events: str = "loan-events"
    clock: str = "clock"


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    kind: str = VALID
    """valid, duplicate (the exact bytes of an earlier valid message) or malformed."""
    event_id: str | None = None
    event_type: str | None = None
    reason: str | None = None
    """For a malformed message: the codec's DecodeError reason it must produce."""


def event_id(seed: int, natural_key: str) -> str:
    """uuid5 over the seed and a natural key: the same run always yields the same ids."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{seed}/{natural_key}"))


def encode_event(
    seed: int, topic: str, model: BaseModel, *, natural_key: str, key: str, at: datetime,
    source: str = SOURCE, subject: str | None = None,
) -> Message:
    identifier, value = encode(model, source=source, time=at, subject=subject or key,
                               event_id=event_id(seed, natural_key))
    return Message(topic=topic, key=key.encode(), value=value, event_id=identifier,
                   event_type=TYPE_OF_MODEL[type(model)])


def clock_tick(seed: int, topic: str, business_date: date, zone: ZoneInfo) -> Message:
    """The tick closing `business_date`: the next day 00:00:05 in the portfolio zone."""
    return intraday_tick(seed, topic, datetime.combine(business_date + timedelta(days=1), time(), tzinfo=zone)
                         + TICK_AFTER_MIDNIGHT)


def intraday_tick(seed: int, topic: str, now: datetime) -> Message:
    """A tick at `now`."""
    identifier, value = encode(
        ClockTicked(now=now), source=CLOCK_SOURCE, time=now, subject=None,
        event_id=event_id(seed, f"tick/{now.isoformat()}"),
    )
    return Message(topic=topic, key=CLOCK_KEY.encode(), value=value, event_id=identifier, event_type="clock.ticked")

