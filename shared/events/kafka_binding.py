"""The CloudEvents Kafka protocol binding: a record's content mode, and the attributes of a binary one.

Structured mode: the value is the whole event in the JSON event format. Binary mode: the value is the
event's data; the attributes are `ce_<name>` headers, and `content-type` is `datacontenttype`.

The binding's rule is that `content-type` decides: a value starting with `application/cloudevents` means
structured, anything else binary. With no `content-type` at all the binding says binary, but the
platform's producers have always written structured events with no `content-type` (and, until the relay
wrote `content-type`, with `ce_id` and `ce_type` headers beside them), so here a record without
`content-type` is binary only when it has a `ce_specversion` header, which every binary event carries.
A structured event's `ce_*` headers, if any, are ignored.
"""
from collections.abc import Sequence

from shared.events.envelope import Envelope

Headers = Sequence[tuple[str, bytes | None]]
CONTENT_TYPE = "content-type"
STRUCTURED_JSON = "application/cloudevents+json"  # the only event format read, and what the relay writes
_CLOUDEVENTS_MEDIA_TYPES = "application/cloudevents"
_PREFIX = "ce_"
ATTRIBUTES = tuple(name for name in Envelope.model_fields if name != "data")  # one header each in binary mode
_CE_ATTRIBUTES = frozenset(ATTRIBUTES) - {"datacontenttype"}  # datacontenttype travels as content-type


class HeaderError(ValueError):
    """Headers that can never be read as CloudEvents. The message names headers, never their values."""


def header_name(attribute: str) -> str:
    """Where a binary event carries `attribute`: `ce_id`, `ce_type`…; `content-type` for datacontenttype."""
    return CONTENT_TYPE if attribute == "datacontenttype" else _PREFIX + attribute


def is_binary(headers: Headers) -> bool:
    """The record's content mode (see above); HeaderError for an event format other than JSON."""
    content_types = [value or b"" for name, value in headers if name.lower() == CONTENT_TYPE]
    if not content_types:
        return any(name.lower() == header_name("specversion") for name, _ in headers)
    if len(content_types) > 1:
        raise HeaderError(f"{CONTENT_TYPE}: given more than once")
    media_type = content_types[0].decode("utf-8", errors="replace").split(";", 1)[0].strip().lower()
    if not media_type.startswith(_CLOUDEVENTS_MEDIA_TYPES):
        return True
    if media_type != STRUCTURED_JSON:
        raise HeaderError(f"{CONTENT_TYPE}: the only event format read is {STRUCTURED_JSON}")
    return False


def attributes(headers: Headers) -> dict[str, str]:
    """The envelope's attributes found in headers, by CloudEvents name; other headers (extensions) are ignored."""
    found: dict[str, str] = {}
    for name, value in headers:
        attribute = attribute_of(name)
        if attribute is None:
            continue
        if attribute in found:
            raise HeaderError(f"{header_name(attribute)}: given more than once")
        try:
            found[attribute] = (value or b"").decode("utf-8")
        except UnicodeDecodeError:
            raise HeaderError(f"{header_name(attribute)}: not UTF-8") from None
    return found


def attribute_of(header: str) -> str | None:
    """The envelope attribute a header carries in binary mode; None for an extension or any other header."""
    lowered = header.lower()
    if lowered == CONTENT_TYPE:
        return "datacontenttype"
    attribute = lowered.removeprefix(_PREFIX)
    return attribute if lowered.startswith(_PREFIX) and attribute in _CE_ATTRIBUTES else None
