"""Building blocks shared by every event contract.

Every field of every contract is bounded: ids, phones, codes and free texts by length (and a pattern
where one applies), numbers by a range, dates and instants by a window. The bounds are far beyond
anything real, and each one is there so that a mistaken or hostile message is refused by the codec
(a `contract_violation` dead letter) instead of failing later in a handler, a database or a report.
"""
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

# Money. One amount (a principal, an instalment, a payment, a waiver) is at most 10^13 minor units
# (100 billion yuan in fen). A sum the services compute (overdue, outstanding, unpaid, paid so far) is
# held in a Postgres bigint by whoever emits it, so any sum it can emit fits one, and a consumer can
# store it in one: the total's bound is the bigint's.
MAX_AMOUNT = 10**13
MAX_TOTAL = 2**63 - 1
MinorUnits = Annotated[int, Field(ge=0, le=MAX_AMOUNT, description="money as an integer number of minor units"
                                                                     " (fen, cents), at most 10^13")]
PositiveMinorUnits = Annotated[int, Field(gt=0, le=MAX_AMOUNT, description="money as an integer number of minor"
                                                                            " units, at most 10^13")]
MinorUnitsTotal = Annotated[int, Field(ge=0, le=MAX_TOTAL, description="a sum of money in minor units; fits a"
                                                                        " signed 64-bit integer")]
PositiveMinorUnitsTotal = Annotated[int, Field(gt=0, le=MAX_TOTAL, description="a sum of money in minor units"
                                                                                " (> 0); fits a signed 64-bit"
                                                                                " integer")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO-4217 code")]

# Ids: the same pattern as the ids callers name over HTTP (shared/web.py). Letters and digits first, then
# also . _ : @ -; no space, slash, backslash, percent sign or control character, so an id can go in a path,
# a key, a log line or a query unescaped. Every id the platform makes fits: uuids, 'LN7-0000001-1',
# 'agr-visit-visit-offer-<uuid>', 'promise-<uuid>', 'col-<hex>'.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN,
                                  description="1-128 characters: letters, digits and . _ : @ -, starting with a"
                                              " letter or digit")]

# Phone numbers: digits, an optional leading '+', spaces or dashes between the digits.
PHONE_PATTERN = r"^\+?[0-9](?:[0-9 -]*[0-9])?$"
Phone = Annotated[str, Field(min_length=3, max_length=32, pattern=PHONE_PATTERN,
                             description="3-32 characters: digits, an optional leading '+', spaces or dashes"
                                         " between digits")]
MAX_PHONES = 10

# Free text (names, address lines, codes from configuration): printable, i.e. no control character
# (C0, DEL, C1; so no NUL, which Postgres cannot store, and no line break). Required text has at least
# one character that is not white space.
_PRINTABLE = r"[^\x00-\x1f\x7f-\x9f]"
TEXT_PATTERN = rf"^{_PRINTABLE}*$"
REQUIRED_TEXT_PATTERN = rf"^{_PRINTABLE}*[^\s\x00-\x1f\x7f-\x9f]{_PRINTABLE}*$"


def text(max_length: int, *, description: str | None = None) -> Any:
    """A required free text of 1..max_length printable characters, not all white space."""
    return Field(min_length=1, max_length=max_length, pattern=REQUIRED_TEXT_PATTERN, description=description)


def optional_text(max_length: int, *, description: str | None = None) -> Any:
    """An optional free text: null (the default), or at most max_length printable characters."""
    return Field(default=None, max_length=max_length, pattern=TEXT_PATTERN, description=description)


# Dates and instants: between 2000-01-01 (included) and 2100-01-01 (excluded). Outside it a value is a
# typo or a probe, and near the ends of what `date` holds, date arithmetic overflows. An instant is
# compared as it is (never converted: converting year 1 or 9999 with an offset overflows).
EARLIEST_DATE, END_DATE = date(2000, 1, 1), date(2100, 1, 1)
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
END_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)
_WINDOW = "from 2000-01-01 up to, not including, 2100-01-01"


def _date_in_window(value: date) -> date:
    if not EARLIEST_DATE <= value < END_DATE:
        raise ValueError(f"the date must be {_WINDOW}")
    return value


def _instant_in_window(value: datetime) -> datetime:
    if not EARLIEST_INSTANT <= value < END_INSTANT:
        raise ValueError(f"the instant must be {_WINDOW} (UTC)")
    return value


BusinessDate = Annotated[date, AfterValidator(_date_in_window),
                         Field(description=f"an ISO 8601 calendar date {_WINDOW}")]
Instant = Annotated[AwareDatetime, AfterValidator(_instant_in_window),
                    Field(description=f"an RFC 3339 timestamp with an offset, {_WINDOW} (UTC)")]

# Counts.
MAX_DAYS_PAST_DUE = (END_DATE - EARLIEST_DATE).days  # 36,525: every pair of dates in the window
MAX_INSTALMENTS = 600  # fifty years of monthly instalments
DaysPastDue = Annotated[int, Field(ge=0, le=MAX_DAYS_PAST_DUE)]
InstalmentNumber = Annotated[int, Field(ge=1, le=MAX_INSTALMENTS, description="an instalment's number, 1-600")]


def _known_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("not an IANA time zone name") from error
    return name


# IANA names are letters, digits and _ + - / (the longest today has 32 characters); the pattern keeps
# anything else (dots, NUL, absolute paths) away from the zone database's file lookup.
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+/-]*$",
                                    description="an IANA time-zone name, e.g. Asia/Shanghai"),
                         AfterValidator(_known_time_zone)]


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
