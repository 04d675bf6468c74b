from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.agreement.domain.policy import DEFAULT_POLICY_PATH, AgreementPolicy


def test_the_shipped_policy_has_a_version_and_the_product_defaults():
    policy = AgreementPolicy.load(DEFAULT_POLICY_PATH)

    assert policy.version == "2026-12-01.1"
    assert policy.max_term_months == 12
    assert policy.allowed_terms == (1, 3, 6, 12)
    assert policy.first_due_after_days == 7
    assert policy.min_first_payment_share == Decimal("0.10")
    assert policy.waiver_supervisor_threshold == 50_000
    assert policy.max_waiver_share == Decimal("0.3")
    assert (policy.grace_days, policy.missed_instalments_to_break) == (3, 2)
    assert policy.currencies == {"CNY": 2}
    assert policy == AgreementPolicy(version=policy.version)  # the file and the code defaults agree


def test_shares_are_exact_decimals_so_rounding_never_drifts_by_a_fen():
    policy = AgreementPolicy.model_validate_json('{"version": "v", "min_first_payment_share": 0.1}')

    assert policy.min_first_payment(3000) == 300  # 0.1 * 3000 in floats is 300.00000000000006
    assert policy.min_first_payment(3001) == 301  # rounded up: never below the share
    assert policy.max_waiver(1000) == 300
    assert policy.max_waiver(1001) == 300  # rounded down: never above the share


@pytest.mark.parametrize("text", [
    '{}',
    '{"version": ""}',
    '{"version": "v", "allowed_terms": [3, 1]}',
    '{"version": "v", "allowed_terms": [1, 1]}',
    '{"version": "v", "allowed_terms": []}',
    '{"version": "v", "allowed_terms": [1, 24]}',
    '{"version": "v", "min_first_payment_share": 1.5}',
    '{"version": "v", "max_waiver_share": -0.1}',
    '{"version": "v", "waiver_supervisor_threshold": -1}',
    '{"version": "v", "missed_instalments_to_break": 0}',
    '{"version": "v", "currencies": {"yuan": 2}}',
    '{"version": "v", "currencies": {}}',
    '{"version": "v", "currencies": {"CNY": 9}}',
    '{"version": "v", "max_term": 12}',
])
def test_a_policy_that_makes_no_sense_is_refused_when_loaded(text):
    with pytest.raises(ValidationError):
        AgreementPolicy.model_validate_json(text)


def test_the_policy_is_frozen_and_names_a_currency_it_does_not_cover():
    policy = AgreementPolicy(version="v")

    with pytest.raises(ValidationError):
        policy.grace_days = 0
    assert policy.minor_digits("CNY") == 2
    with pytest.raises(ValueError, match="USD"):
        policy.minor_digits("USD")
