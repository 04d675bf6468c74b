"""What a consumed message becomes: an event to handle, or a dead letter with its reason."""
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from shared.db.outbox import OutboxMessage
from shared.events.codec import DecodeError, decode
from shared.events.envelope import Envelope

HANDLER_ERROR = "handler_error"


class RawRecord(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: str | None
    envelope: Envelope
    data: Any
    record: RawRecord

    @property
    def event_id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type


@dataclass(frozen=True)
class DeadLetter:
    record: RawRecord
    reason: str
    detail: str
    event_type: str | None = None

    @property
    def inbox_id(self) -> str:
        """Bad bytes have no trustworthy id: the position is what makes a dead letter unique."""
        r = self.record
        return f"dead-letter:{r.topic}:{r.partition}:{r.offset}"

    def to_outbox(self, dead_letter_topic: str, service: str) -> OutboxMessage:
        r = self.record
        headers = {
            "dlq-reason": self.reason,
            "dlq-detail": self.detail,
            "dlq-service": service,
            "dlq-source-topic": r.topic,
            "dlq-source-partition": str(r.partition),
            "dlq-source-offset": str(r.offset),
        }
        if self.event_type:
            headers["dlq-event-type"] = self.event_type[:128]
        return OutboxMessage(
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, self.inbox_id)),
            topic=dead_letter_topic,
            key=_text(r.key),
            payload=r.value or b"",
            headers=headers,
        )


def by_type(events: Iterable[Incoming]) -> defaultdict[str, list[Incoming]]:
    """A batch's events grouped by CloudEvents type, in their order; a missing type is an empty list."""
    grouped: defaultdict[str, list[Incoming]] = defaultdict(list)
    for event in events:
        grouped[event.type].append(event)
    return grouped


def classify(record: RawRecord) -> Incoming | DeadLetter:
    try:
        decoded = decode(record.value)
    except DecodeError as error:
        return DeadLetter(record, error.reason, error.detail, error.event_type)
    return Incoming(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=_text(record.key),
        envelope=decoded.envelope,
        data=decoded.data,
        record=record,
    )


def _text(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", errors="replace") if raw is not None else None
