"""One codec: bytes to a validated (envelope, data) pair, and back."""
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.events.base import READING, utc
from shared.events.envelope import Envelope
from shared.events.registry import EVENT_TYPES, TYPE_OF_MODEL

INVALID_JSON = "invalid_json"
CONTRACT_VIOLATION = "contract_violation"
UNKNOWN_TYPE = "unknown_type"
TOO_LARGE = "too_large"
TOO_DEEP = "too_deep"
# Bounds checked before anything is parsed: no valid event comes near them.
MAX_MESSAGE_BYTES = 1_000_000
MAX_NESTING = 32


class DecodeError(Exception):
    """A message that can never be processed. `detail` names fields, never their values."""

    def __init__(self, reason: str, detail: str, event_type: str | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.event_type = event_type


@dataclass(frozen=True)
class Decoded:
    envelope: Envelope
    data: Any


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_input=False, include_url=False, include_context=False)[:5]:
        location = ".".join(str(step) for step in item["loc"]) or "(root)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)[:500]


def nesting_depth(raw: bytes) -> int:
    """How deep JSON arrays and objects nest in `raw`, brackets inside strings not counted.

    Linear and without recursion, so `[` x 100,000 costs a scan, not a stack. Most messages have
    fewer brackets than the limit at all, and skip the scan."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def decode(raw: bytes | None) -> Decoded:
    """Bytes to a validated event; DecodeError (never anything else) for what can never be processed."""
    if raw is not None and len(raw) > MAX_MESSAGE_BYTES:
        raise DecodeError(TOO_LARGE, f"{len(raw)} bytes, over the limit of {MAX_MESSAGE_BYTES}")
    if raw is not None and nesting_depth(raw) > MAX_NESTING:
        raise DecodeError(TOO_DEEP, f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        document = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise DecodeError(INVALID_JSON, type(error).__name__) from None
    if not isinstance(document, dict):
        raise DecodeError(INVALID_JSON, "the message is not a JSON object")
    try:
        envelope = Envelope.model_validate(document, context=READING)
    except ValidationError as error:
        raise DecodeError(CONTRACT_VIOLATION, "envelope: " + _describe(error)) from None
    model = EVENT_TYPES.get(envelope.type)
    if model is None:
        raise DecodeError(UNKNOWN_TYPE, "no contract for this type", envelope.type)
    try:
        data = model.model_validate(envelope.data, context=READING)
    except (ValidationError, ValueError) as error:
        detail = _describe(error) if isinstance(error, ValidationError) else type(error).__name__
        raise DecodeError(CONTRACT_VIOLATION, "data: " + detail, envelope.type) from None
    return Decoded(envelope=envelope, data=data)


def encode(
    data: BaseModel,
    *,
    source: str,
    time: datetime,
    subject: str | None,
    event_id: str | None = None,
) -> tuple[str, bytes]:
    """Validate `data` strictly against its contract and wrap it; returns (event id, bytes)."""
    event_type = TYPE_OF_MODEL[type(data)]
    type(data).model_validate(data.model_dump(), strict=True)
    envelope = Envelope(
        specversion="1.0",
        id=event_id or str(uuid.uuid4()),
        type=event_type,
        source=source,
        time=utc(time),
        subject=subject,
        data=data.model_dump(mode="json"),
    )
    return envelope.id, envelope.model_dump_json(exclude_none=True).encode()
