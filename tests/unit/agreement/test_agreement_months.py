from datetime import date

import pytest

from services.agreement.domain.months import add_months


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 2, date(2024, 3, 31)),  # counted from the anchor, not chained from 29 Feb
    (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2024, 12, 15), 1, date(2025, 1, 15)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2024, 5, 10), 0, date(2024, 5, 10)),
])
def test_a_month_later_is_the_same_day_or_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_months_do_not_go_backwards():
    with pytest.raises(ValueError):
        add_months(date(2024, 1, 1), -1)
