from datetime import date

import pytest

from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import RULE_IDS, Instalment, Terms, check_terms, needs_approval, standing

POLICY = AgreementPolicy(version="test")
TODAY = date(2024, 1, 24)
OVERDUE = 100_000


def terms(*instalments, waiver=0, currency="CNY"):
    return Terms(currency, tuple(instalments), waiver)


GOOD = terms((date(2024, 2, 1), 40_000), (date(2024, 3, 1), 30_000), (date(2024, 4, 1), 30_000))


def rule_ids(t, overdue=OVERDUE, today=TODAY, **kw):
    return [v.rule_id for v in check_terms(t, overdue, today, POLICY, **kw)]


def test_terms_within_policy_pass():
    assert check_terms(GOOD, OVERDUE, TODAY, POLICY) == []
    assert GOOD.instalments[0] == Instalment(date(2024, 2, 1), 40_000)


CASES = {
    "currency.not_allowed": dict(t=terms((date(2024, 2, 1), OVERDUE), currency="USD")),
    "currency.mismatch": dict(t=GOOD, debt_currency="HKD"),
    "amounts.do_not_cover": dict(t=terms((date(2024, 2, 1), 99_999))),
    "waiver.too_large": dict(t=terms((date(2024, 2, 1), 69_999), waiver=30_001)),
    "first_payment.too_small": dict(t=terms((date(2024, 2, 1), 9_999), (date(2024, 3, 1), 90_001))),
    "schedule.not_monthly_or_unordered": dict(t=terms((date(2024, 3, 1), 50_000), (date(2024, 2, 1), 50_000))),
    "term.too_long": dict(t=terms((date(2024, 2, 1), 50_000), (date(2024, 3, 1), 50_000)), today=date(2023, 2, 1)),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_rule_is_reported_under_its_own_stable_id(rule_id):
    case = dict(CASES[rule_id])

    assert rule_ids(case.pop("t"), **case) == [rule_id]


def test_every_rule_id_has_a_case_and_ids_never_change():
    assert set(CASES) == set(RULE_IDS)
    assert RULE_IDS == ("currency.not_allowed", "currency.mismatch", "amounts.do_not_cover", "waiver.too_large",
                        "first_payment.too_small", "schedule.not_monthly_or_unordered", "term.too_long")


def test_every_broken_rule_is_reported_at_once_in_a_fixed_order_with_a_message():
    bad = terms((date(2024, 1, 1), 1), (date(2025, 6, 1), 10_000), waiver=40_000)

    found = check_terms(bad, OVERDUE, TODAY, POLICY)

    assert [v.rule_id for v in found] == ["amounts.do_not_cover", "waiver.too_large", "first_payment.too_small",
                                          "schedule.not_monthly_or_unordered", "term.too_long"]
    assert all(v.message for v in found)


def test_the_waiver_may_reach_the_maximum_share_but_not_a_fen_more():
    assert rule_ids(terms((date(2024, 2, 1), 70_000), waiver=30_000)) == []
    assert rule_ids(terms((date(2024, 2, 1), 69_999), waiver=30_001)) == ["waiver.too_large"]


def test_the_first_payment_is_a_share_of_what_the_borrower_pays_not_of_the_debt():
    agreed = 70_000  # after a waiver of 30_000; 10% is 7_000
    assert rule_ids(terms((date(2024, 2, 1), 7_000), (date(2024, 3, 1), 63_000), waiver=30_000)) == []
    assert rule_ids(terms((date(2024, 2, 1), 6_999), (date(2024, 3, 1), agreed - 6_999), waiver=30_000)) == [
        "first_payment.too_small"]


@pytest.mark.parametrize("today, last_due, ok", [
    (date(2024, 1, 24), date(2025, 1, 24), True),
    (date(2024, 1, 24), date(2025, 1, 25), False),
    (date(2024, 2, 29), date(2025, 2, 28), True),  # twelve months from a leap day
    (date(2024, 2, 29), date(2025, 3, 1), False),
])
def test_the_last_instalment_may_fall_due_at_most_the_maximum_term_from_today(today, last_due, ok):
    found = rule_ids(terms((today, 50_000), (last_due, 50_000)), today=today)

    assert ("term.too_long" not in found) is ok  # (skipping months also breaks the schedule rule here)


@pytest.mark.parametrize("due_dates, ok", [
    ([TODAY, date(2024, 2, 24)], True),  # the first may fall due today
    ([date(2024, 1, 23), date(2024, 2, 23)], False),  # not in the past
    ([date(2024, 2, 1), date(2024, 2, 1)], False),  # one instalment per date
    ([date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)], True),  # month ends, leap year
    ([date(2024, 1, 31), date(2024, 3, 1)], False),  # skips February
    ([date(2024, 2, 1), date(2024, 2, 15), date(2024, 4, 1)], True),  # more often than monthly is fine
    ([date(2024, 2, 1), date(2024, 4, 2), date(2024, 4, 3)], False),
])
def test_due_dates_are_ascending_not_in_the_past_and_at_least_monthly(due_dates, ok):
    amounts = [OVERDUE - 10_000 * (len(due_dates) - 1)] + [10_000] * (len(due_dates) - 1)

    found = rule_ids(terms(*zip(due_dates, amounts)))

    assert found == ([] if ok else ["schedule.not_monthly_or_unordered"])


def test_a_waiver_above_the_threshold_waits_for_a_supervisor_one_at_it_does_not():
    at = terms((date(2024, 2, 1), 150_000), waiver=50_000)
    above = terms((date(2024, 2, 1), 149_999), waiver=50_001)

    assert not needs_approval(at, POLICY)
    assert needs_approval(above, POLICY)
    assert not needs_approval(GOOD, POLICY)
    assert check_terms(above, 200_000, TODAY, POLICY) == []  # within policy, yet needs approval


@pytest.mark.parametrize("kwargs", [
    dict(currency="CNY", instalments=()),
    dict(currency="CNY", instalments=((TODAY, 0),)),
    dict(currency="CNY", instalments=((TODAY, 10.5),)),
    dict(currency="CNY", instalments=((TODAY, True),)),
    dict(currency="CNY", instalments=((TODAY, 10),), waiver_amount=-1),
    dict(currency="cny", instalments=((TODAY, 10),)),
])
def test_malformed_terms_cannot_be_built(kwargs):
    with pytest.raises(ValueError):
        Terms(**kwargs)


def test_a_negative_overdue_amount_is_a_caller_error():
    with pytest.raises(ValueError):
        check_terms(GOOD, -1, TODAY, POLICY)


def test_a_loan_takes_an_agreement_only_with_an_open_case_and_none_in_force():
    assert standing(case_open=True, agreement_in_force=False) is None
    assert standing(case_open=False, agreement_in_force=False).rule_id == "case.not_open"
    assert standing(case_open=False, agreement_in_force=True).rule_id == "case.not_open"
    assert standing(case_open=True, agreement_in_force=True).rule_id == "agreement.in_force"
