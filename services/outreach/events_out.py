"""Outreach's events as outbox rows, with ids derived from what caused them (replays dedupe)."""
import uuid
from datetime import datetime

from pydantic import BaseModel

from shared.db.outbox import OutboxMessage
from shared.db.outbox_events import caused_message

SOURCE = "collections/outreach"
_IDS = uuid.UUID("5b1f0f8e-9c43-5f0e-8a57-0c2d3f8e9b14")  # never change: ids must survive replays


def outreach_message(data: BaseModel, *, topic: str, key: str, time: datetime, cause: str) -> OutboxMessage:
    return caused_message(data, topic=topic, key=key, source=SOURCE, time=time, namespace=_IDS, cause=cause)
