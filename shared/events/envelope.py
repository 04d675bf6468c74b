"""The CloudEvents 1.0 structured-mode envelope every message travels in."""
from typing import Any, Literal

from pydantic import Field

from shared.events.base import Contract, Identifier, Instant


class Envelope(Contract):
    specversion: Literal["1.0"]
    id: Identifier = Field(description="unique per event; the idempotency key")
    type: str = Field(min_length=1, max_length=128, description="a type the registry does not know is"
                                                               " refused as unknown_type")
    source: str = Field(min_length=1, max_length=256, description="who sent it; only the length is checked")
    time: Instant
    subject: str | None = Field(default=None, max_length=128, description="not read by the services")
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
