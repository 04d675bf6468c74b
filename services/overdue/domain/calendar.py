"""Business dates: calendar dates in the portfolio's time zone."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def business_date(instant: datetime, zone: ZoneInfo) -> date:
    """The date on which `instant` falls in `zone`."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a business date needs a time-zone aware datetime")
    return instant.astimezone(zone).date()


def closed_dates(last_closed: date | None, now: datetime, zone: ZoneInfo) -> list[date]:
    """The business dates that have ended by `now` and were not closed yet, oldest first.

    With nothing closed yet only yesterday is closed: a service starting on a
    long-running portfolio must not replay its whole history of end-of-days.
    A tick at or before the last closed date (time going backwards) closes nothing.
    """
    last_ended = business_date(now, zone) - timedelta(days=1)
    if last_closed is None:
        return [last_ended]
    skipped = (last_ended - last_closed).days
    return [last_closed + timedelta(days=offset) for offset in range(1, skipped + 1)]
