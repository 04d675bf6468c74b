"""What a consumed message becomes: an event to handle, or a dead letter with its reason."""
import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from shared.db.outbox import OutboxMessage
from shared.events.codec import DecodeError, decode
from shared.events.envelope import Envelope
from shared.events.kafka_binding import Headers, attribute_of
from shared.events.registry import EVENT_TYPES

HANDLER_ERROR = "handler_error"
ID_CONFLICT = "id_conflict"
# A dead letter must always be storable and publishable, whatever it carries: the value is cut to
# this size (the producer's request limit is 1 MiB) and its original size and digest go in headers.
MAX_DEAD_LETTER_BYTES = 900_000
MAX_KEY_CHARS = 256
MAX_HEADER_CHARS = 512
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # text and jsonb refuse NUL; logs hate the rest


class RawRecord(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers


class Unprocessable(DecodeError):
    """Raised by a handler for an event that is valid but can never be applied (a clock tick far
    from the last one, say): the event is dead-lettered with this reason, and the partition moves on.
    `detail` names fields and limits, never values."""


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

    @cached_property
    def digest(self) -> str:
        """What the event says (type and data, canonical JSON): the same id saying something else
        is a conflict, not a duplicate."""
        canonical = json.dumps([self.envelope.type, self.envelope.data], sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
        """The original bytes (cut to MAX_DEAD_LETTER_BYTES) and CloudEvents headers (a binary event's
        attributes: replayed, the message is whole again), with `dlq-*` headers that carry only reasons,
        field names, positions and digests: never a value the sender chose."""
        r = self.record
        value = r.value or b""
        original = {name: (text or b"").decode("utf-8", errors="replace") for name, text in r.headers
                    if attribute_of(name) is not None}
        headers = original | {
            "dlq-reason": self.reason,
            "dlq-detail": self.detail,
            "dlq-service": service,
            "dlq-source-topic": r.topic,
            "dlq-source-partition": str(r.partition),
            "dlq-source-offset": str(r.offset),
            "dlq-original-bytes": str(len(value)),
            "dlq-original-sha256": hashlib.sha256(value).hexdigest(),
        }
        if self.event_type in EVENT_TYPES:
            headers["dlq-event-type"] = self.event_type
        if len(value) > MAX_DEAD_LETTER_BYTES:
            headers["dlq-truncated"] = "true"
        return OutboxMessage(
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, self.inbox_id)),
            topic=dead_letter_topic,
            key=_text(r.key),
            payload=value[:MAX_DEAD_LETTER_BYTES],
            headers={name: storable(text, MAX_HEADER_CHARS) for name, text in headers.items()},
        )


def by_type(events: Iterable[Incoming]) -> defaultdict[str, list[Incoming]]:
    """A batch's events grouped by CloudEvents type, in their order; a missing type is an empty list."""
    grouped: defaultdict[str, list[Incoming]] = defaultdict(list)
    for event in events:
        grouped[event.type].append(event)
    return grouped


def classify(record: RawRecord) -> Incoming | DeadLetter:
    try:
        decoded = decode(record.value, record.headers)
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


def storable(text: str, limit: int) -> str:
    """`text` without the characters Postgres text and jsonb refuse (NUL) or logs mangle, cut to `limit`."""
    return _UNSTORABLE.sub("\ufffd", text[:limit])


def _text(raw: bytes | None) -> str | None:
    """A Kafka key as storable text: whatever bytes the sender put there."""
    return storable(raw.decode("utf-8", errors="replace"), MAX_KEY_CHARS) if raw is not None else None
