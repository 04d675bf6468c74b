"""Time flows with the data, first part: an outside system's event read ahead of the service's time is held and
released at the tick it is due (docs/time.md). The rules are in shared/upstream.py."""
from dataclasses import dataclass, field
from datetime import datetime

from shared.db import held
from shared.db.tx import Tx
from shared.events.codec import decode
from shared.events.kafka_binding import Headers
from shared.kafka.records import Incoming
from shared.upstream import Edge, release_bounds


@dataclass
class HeldRecord:
    """The Kafka record a released event was read from, as far as handlers may ask."""
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()


@dataclass(frozen=True)
class TimeFlow:
    edges: dict[str, Edge] = field(default_factory=dict)  # input topic -> how its events take effect
    held_types: frozenset[str] | None = None  # only these types are held, when given

    async def take(self, tx: Tx, events: list[Incoming]) -> list[Incoming]:
        """The events to handle now; the rest are held until their tick. Before the service's first tick
        there is no time to hold for: everything is handled at once."""
        if tx.now is None or not self.edges:
            return events
        now, later = [], []
        for event in events:
            edge = self.edges.get(event.topic)
            if edge is not Edge.EVENT_TIME or (self.held_types is not None and event.type not in self.held_types) \
                    or event.envelope.time <= tx.now:
                now.append(event)  # not waited for, or due already (late)
            else:
                later.append(held.Held(event.topic, event.partition, event.offset, event.event_id, event.type,
                                       event.key, event.envelope.time,
                                       event.envelope.model_dump_json(exclude_none=True).encode()))
        await held.hold(tx.conn, later)
        return now

    async def released(self, tx: Tx, tick: datetime, previous: datetime | None) -> list[Incoming]:
        """The held events that take effect at `tick`, in the order they do."""
        if not self.edges:
            return []
        return [_incoming(h) for h in await held.release(tx.conn, release_bounds(self.edges, tick, previous))]


def _incoming(h: held.Held) -> Incoming:
    decoded = decode(h.message)
    key = h.message_key.encode() if h.message_key is not None else None
    return Incoming(topic=h.topic, partition=h.partition, offset=h.offset, key=h.message_key,
                    envelope=decoded.envelope, data=decoded.data,
                    record=HeldRecord(h.topic, h.partition, h.offset, key, h.message))
