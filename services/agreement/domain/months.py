"""Calendar months, the unit of agreement terms and schedules."""
from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter.

    Always counted from one anchor (never chained month by month), so a
    schedule anchored on 31 January falls due on 28/29 February and then on
    31 March, not on the 28th for ever after.
    """
    if months < 0:
        raise ValueError("months cannot be negative")
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
