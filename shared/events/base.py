"""Building blocks shared by every event contract."""
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

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


class Contract(BaseModel):
    """A contract model: tolerant of unknown fields when read, immutable once built.

    Producers are held strict by the codec, which re-validates in strict mode
    before anything is written.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC"))
