"""The CloudEvents 1.0 envelope every message travels in (structured or binary mode: shared/events/kafka_binding.py)."""
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from shared.events.base import Contract, Identifier, Instant

JSON_MEDIA_TYPE = "application/json"


def _json_media_type(value: str) -> str:
    """`application/json`, any case, with optional `; name=value` parameters; a charset must be UTF-8."""
    media_type, *parameters = value.split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise ValueError(f"the data must be {JSON_MEDIA_TYPE}, optionally with parameters")
    for parameter in filter(str.strip, parameters):  # an empty one ('application/json;') says nothing
        name, equals, setting = (part.strip() for part in parameter.partition("="))
        if not name or not equals:
            raise ValueError("a media type parameter must be name=value")
        if name.lower() == "charset" and setting.strip('"').lower() != "utf-8":
            raise ValueError("the charset, when given, must be utf-8")
    return value


JsonMediaType = Annotated[str, Field(max_length=128, description=f"{JSON_MEDIA_TYPE}, optionally with parameters"
                                                                 " such as '; charset=utf-8' (a charset must be"
                                                                 " utf-8)"),
                          AfterValidator(_json_media_type)]


class Envelope(Contract):
    specversion: Literal["1.0"]
    id: Identifier = Field(description="unique per event; the idempotency key")
    type: str = Field(min_length=1, max_length=128, description="a type the registry does not know is"
                                                               " refused as unknown_type")
    source: str = Field(min_length=1, max_length=256, description="who sent it; only the length is checked")
    time: Instant
    subject: str | None = Field(default=None, max_length=128, description="not read by the services")
    datacontenttype: JsonMediaType = JSON_MEDIA_TYPE
    data: dict[str, Any]
