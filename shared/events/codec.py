"""One codec: a record's value and headers to a validated (envelope, data) pair, and an event to bytes."""
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.events import kafka_binding
from shared.events.base import READING, utc
from shared.events.envelope import Envelope
from shared.events.kafka_binding import Headers
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


def _describe(error: ValidationError, name: Callable[[str], str] = str) -> str:
    """Up to five problems as `location: rule`, never the values; `name` renames the top-level field (a
    binary event's attribute is named by its header)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False, include_context=False)[:5]:
        steps = [str(step) for step in item["loc"]]
        location = ".".join([name(steps[0]), *steps[1:]]) if steps else "(root)"
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


def decode(raw: bytes | None, headers: Headers = ()) -> Decoded:
    """A consumed record's value and headers to a validated event, in either content mode (structured: the
    value is the whole event; binary: the value is its data, the attributes are headers); DecodeError (never
    anything else) for what can never be processed. The same bounds and reasons apply to both modes."""
    size = len(raw or b"") + sum(len(name) + len(value or b"") for name, value in headers)
    if size > MAX_MESSAGE_BYTES:
        raise DecodeError(TOO_LARGE, f"{size} bytes, over the limit of {MAX_MESSAGE_BYTES}")
    if raw is not None and nesting_depth(raw) > MAX_NESTING:
        raise DecodeError(TOO_DEEP, f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        binary = kafka_binding.is_binary(headers)
        attributes = kafka_binding.attributes(headers) if binary else {}
    except kafka_binding.HeaderError as error:
        raise DecodeError(CONTRACT_VIOLATION, f"headers: {error}") from None
    if binary:
        document = {**attributes, "data": _json_object(raw, "the data (the message value) is not a JSON object")}
    else:
        document = _json_object(raw, "the message is not a JSON object")
    try:
        envelope = Envelope.model_validate(document, context=READING)
    except ValidationError as error:
        where, name = ("headers", kafka_binding.header_name) if binary else ("envelope", str)
        raise DecodeError(CONTRACT_VIOLATION, f"{where}: " + _describe(error, name)) from None
    model = EVENT_TYPES.get(envelope.type)
    if model is None:
        raise DecodeError(UNKNOWN_TYPE, "no contract for this type", envelope.type)
    try:
        data = model.model_validate(envelope.data, context=READING)
    except (ValidationError, ValueError) as error:
        detail = _describe(error) if isinstance(error, ValidationError) else type(error).__name__
        raise DecodeError(CONTRACT_VIOLATION, "data: " + detail, envelope.type) from None
    return Decoded(envelope=envelope, data=data)


def _json_object(raw: bytes | None, not_an_object: str) -> dict[str, Any]:
    try:
        document = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise DecodeError(INVALID_JSON, type(error).__name__) from None
    if not isinstance(document, dict):
        raise DecodeError(INVALID_JSON, not_an_object)
    return document


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
