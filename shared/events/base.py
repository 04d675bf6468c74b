"""Building blocks shared by every event contract."""
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

MinorUnits = Annotated[int, Field(ge=0, description="money as an integer number of minor units (fen, cents)")]
PositiveMinorUnits = Annotated[int, Field(gt=0, description="money as an integer number of minor units")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO-4217 code")]
Identifier = Annotated[str, Field(min_length=1, max_length=128)]


def _known_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("not an IANA time zone name") from error
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_time_zone)]
Instant = AwareDatetime


def _readers_accept_unknown_fields(schema: dict[str, Any]) -> None:
    """The published schema describes what consumers accept: unknown fields are allowed (ignored)."""
    schema.pop("additionalProperties", None)


READING = {"reading": True}  # the validation context of a consumed message: see Contract


class Contract(BaseModel):
    """A contract model: strict when built, tolerant of unknown fields when read, immutable.

    Building one with a field the contract does not have is an error (a producer's typo must
    not vanish silently); the codec validates consumed messages with the READING context, in
    which unknown fields (a newer producer's additions) are dropped. The codec also re-validates
    in strict mode before anything is written.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_readers_accept_unknown_fields)

    @model_validator(mode="before")
    @classmethod
    def _drop_unknown_fields_when_reading(cls, data: Any, info: ValidationInfo) -> Any:
        if not (info.context and info.context.get("reading")) or not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if key in cls.model_fields}


def utc(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC"))
