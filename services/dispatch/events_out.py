"""Dispatch's events as outbox rows, with ids derived from what caused them (replays dedupe)."""
import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.db.outbox import OutboxMessage
from shared.db.outbox_events import caused_message

SOURCE = "collections/visit-dispatch"
_IDS = uuid.UUID("8d3c2b1a-4e5f-5a6b-9c7d-0e1f2a3b4c5d")  # never change: ids must survive replays


def dispatch_message(data: BaseModel, *, topic: str, key: str, time: datetime, cause: str) -> OutboxMessage:
    return caused_message(data, topic=topic, key=key, source=SOURCE, time=time, namespace=_IDS, cause=cause)
