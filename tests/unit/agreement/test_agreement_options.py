from datetime import date, timedelta

import pytest

from services.agreement.domain.options import plan_options, split
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import check_terms

POLICY = AgreementPolicy(version="test")
TODAY = date(2024, 1, 24)  # first due 31 January: every month end comes up


def test_the_borrower_chooses_from_pay_in_full_or_3_6_12_monthly_instalments():
    options = plan_options(100_000, "CNY", TODAY, POLICY)

    assert [o.instalment_count for o in options] == [1, 3, 6, 12]
    assert options[0].pay_in_full and not any(o.pay_in_full for o in options[1:])
    assert [[i.amount for i in o.schedule] for o in options[:3]] == [
        [100_000], [33_334, 33_333, 33_333], [16_670] + [16_666] * 5]
    for option in options:
        assert option.terms.currency == "CNY" and option.terms.waiver_amount == 0
        assert option.terms.agreed_total == 100_000
        assert check_terms(option.terms, 100_000, TODAY, POLICY) == []


def test_due_dates_run_monthly_from_a_week_after_today_and_survive_month_ends_and_leap_years():
    twelve = plan_options(100_000, "CNY", TODAY, POLICY)[-1]

    assert [i.due_date for i in twelve.schedule] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31),
        date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 31), date(2024, 9, 30), date(2024, 10, 31),
        date(2024, 11, 30), date(2024, 12, 31)]
    three = plan_options(100_000, "CNY", date(2023, 1, 24), POLICY)[1]
    assert [i.due_date for i in three.schedule] == [date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 31)]
    across_the_year = plan_options(100_000, "CNY", date(2024, 12, 25), POLICY)[1]
    assert across_the_year.schedule[0].due_date == date(2025, 1, 1)


def test_a_first_instalment_below_the_minimum_share_is_raised_and_the_rest_shared_equally():
    twelve = plan_options(100_000, "CNY", TODAY, POLICY)[-1]

    assert [i.amount for i in twelve.schedule] == [10_009] + [8_181] * 11
    assert twelve.first_payment >= POLICY.min_first_payment(100_000)
    assert sum(i.amount for i in twelve.schedule) == 100_000


def test_an_amount_too_small_to_share_out_offers_fewer_plans():
    assert [o.instalment_count for o in plan_options(5, "CNY", TODAY, POLICY)] == [1, 3]
    assert [o.instalment_count for o in plan_options(1, "CNY", TODAY, POLICY)] == [1]


def test_a_plan_that_would_break_the_policy_is_not_offered():
    late_start = AgreementPolicy(version="test", first_due_after_days=40)

    counts = [o.instalment_count for o in plan_options(100_000, "CNY", TODAY, late_start)]

    assert counts == [1, 3, 6]  # twelve instalments from 40 days on end beyond 12 months


def test_nothing_overdue_means_no_plans_and_nonsense_is_refused():
    assert plan_options(0, "CNY", TODAY, POLICY) == []
    with pytest.raises(ValueError):
        plan_options(-1, "CNY", TODAY, POLICY)
    with pytest.raises(ValueError, match="USD"):
        plan_options(100, "USD", TODAY, POLICY)


@pytest.mark.parametrize("total, count, first_at_least, expected", [
    (100, 3, 0, [34, 33, 33]),
    (99, 3, 0, [33, 33, 33]),
    (100, 1, 100, [100]),
    (100, 12, 10, [12] + [8] * 11),
    (1000, 12, 100, [109] + [81] * 11),
    (2, 3, 0, None),
    (10, 2, 10, None),
])
def test_split_is_exact_with_the_remainder_on_the_first(total, count, first_at_least, expected):
    amounts = split(total, count, first_at_least)

    assert amounts == expected
    if amounts is not None:
        assert sum(amounts) == total and amounts[0] >= first_at_least and amounts[0] == max(amounts)


@pytest.mark.parametrize("total, count, first_at_least", [(0, 1, 0), (10, 0, 0), (10, 2, 11)])
def test_split_refuses_what_cannot_be_split(total, count, first_at_least):
    with pytest.raises(ValueError):
        split(total, count, first_at_least)


def test_the_first_due_date_follows_the_policy():
    policy = AgreementPolicy(version="test", first_due_after_days=0)

    assert plan_options(300, "CNY", TODAY, policy)[0].schedule[0].due_date == TODAY
    assert plan_options(300, "CNY", TODAY, POLICY)[0].schedule[0].due_date == TODAY + timedelta(days=7)
