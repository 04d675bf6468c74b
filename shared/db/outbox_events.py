"""Contract models as outbox rows: the one way a service turns a domain event into a message."""
import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.db.outbox import OutboxMessage
from shared.events.codec import encode
from shared.events.registry import TYPE_OF_MODEL


def event_message(data: BaseModel, *, topic: str, key: str, source: str, time: datetime,
                  event_id: str) -> OutboxMessage:
    """`event_id` should be deterministic (derived from what caused the event) so replays dedupe."""
    event_id, payload = encode(data, source=source, time=time, subject=key, event_id=event_id)
    return OutboxMessage(event_id=event_id, topic=topic, key=key, payload=payload,
                         headers={"ce_type": TYPE_OF_MODEL[type(data)]})


def caused_message(data: BaseModel, *, topic: str, key: str, source: str, time: datetime, namespace: uuid.UUID,
                   cause: str) -> OutboxMessage:
    """An event whose id is derived from what caused it (`cause`: a decision id, an attempt and its
    outcome…), so the same cause handled twice yields the same id and downstream inboxes drop the copy."""
    event_id = str(uuid.uuid5(namespace, f"{type(data).__name__}:{cause}"))
    return event_message(data, topic=topic, key=key, source=source, time=time, event_id=event_id)
