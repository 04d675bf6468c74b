"""Agreement tracking's events as outbox rows, ids derived from their cause (replays dedupe)."""
import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.db.outbox import OutboxMessage
from shared.db.outbox_events import caused_message

SOURCE = "collections/agreement-tracking"
_IDS = uuid.UUID("c4a2e1f0-7b3d-5c9e-8f1a-2d4b6e8c0a13")  # never change: ids must survive replays


def agreement_message(data: BaseModel, *, topic: str, key: str, time: datetime, cause: str) -> OutboxMessage:
    return caused_message(data, topic=topic, key=key, source=SOURCE, time=time, namespace=_IDS, cause=cause)
