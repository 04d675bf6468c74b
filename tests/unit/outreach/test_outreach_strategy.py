"""Strategy tables: the first matching ladder wins; the champion/challenger split is stable and fair."""
import pytest
from pydantic import ValidationError

from services.outreach.domain.strategy import (
    CaseProfile,
    Ladder,
    Segment,
    Step,
    StrategyTable,
    variant_for,
)

TABLE = StrategyTable.load()


def profile(**changes) -> CaseProfile:
    fields = dict(bucket="1-30", risk_segment="medium", overdue_amount=150_000, contactability="reachable",
                  broken_promises=0)
    return CaseProfile(**(fields | changes))


def ladder_name(variant="champion", **changes) -> str | None:
    ladder = TABLE.ladder_for(variant, profile(**changes))
    return ladder and ladder.name


def test_the_shipped_table_has_a_version_and_a_fifth_of_cases_on_the_challenger():
    assert TABLE.version == "2026-11-28.1"
    assert TABLE.challenger_share == 0.2


@pytest.mark.parametrize("changes, expected", [
    ({}, "early"),
    ({"risk_segment": "low"}, "early-low-risk"),
    ({"contactability": "unreachable"}, "unreachable"),
    ({"overdue_amount": 49_999}, "small-balance"),
    ({"overdue_amount": 50_000}, "early"),  # the maximum is exclusive
    ({"broken_promises": 2, "overdue_amount": 300_000}, "broken-promises"),  # the minimum is inclusive
    ({"broken_promises": 2, "overdue_amount": 299_999}, "early"),
    ({"broken_promises": 1, "overdue_amount": 300_000}, "early"),
    ({"bucket": "91-180", "overdue_amount": 2_000_000}, "legal-threshold"),
    ({"bucket": "61-90", "overdue_amount": 2_000_000}, "late"),  # the catch-all
])
def test_the_first_matching_row_wins(changes, expected):
    assert ladder_name(**changes) == expected


def test_the_challenger_runs_its_own_table():
    assert [s.action for s in TABLE.ladder_for("challenger", profile(bucket="181+")).steps] == [
        "visit", "call", "legal_referral"]


def test_without_a_catch_all_a_case_may_match_no_ladder():
    table = StrategyTable(version="v", champion=(Ladder(name="early", when=Segment(buckets={"1-30"}),
                                                         steps=(Step(action="sms_reminder"),)),))

    assert table.ladder_for("champion", profile(bucket="31-60")) is None


@pytest.mark.parametrize("text, complaint", [
    ('{"version": "v", "challenger_share": 0.2, "champion": [{"name": "a", "steps": [{"action": "call"}]}]}',
     "challenger share needs a challenger table"),
    ('{"version": "v", "champion": [{"name": "a", "steps": [{"action": "call"}]},'
     ' {"name": "a", "steps": [{"action": "visit"}]}]}', "unique"),
    ('{"version": "v", "champion": [{"name": "a", "steps": []}]}', "at least 1"),
    ('{"version": "v", "champion": [{"name": "a", "steps": [{"action": "threaten"}]}]}', "threaten"),
    ('{"version": "v", "challenger_share": 1.5, "champion": [{"name": "a", "steps": [{"action": "call"}]}]}',
     "less than or equal to 1"),
    ('{"version": "v", "champion": [{"name": "a", "steps": [{"action": "call", "max_attempts": 0}]}]}',
     "greater than 0"),
])
def test_a_table_that_makes_no_sense_is_refused(text, complaint):
    with pytest.raises(ValidationError, match=complaint):
        StrategyTable.model_validate_json(text)


def test_the_variant_is_pinned_to_the_case_id_in_every_process():
    # From SHA-256 of the id, not the per-process salted hash(): these must never change,
    # or running cases would switch strategy on a restart.
    challengers = [n for n in range(40) if variant_for(f"case-{n}", 0.2) == "challenger"]

    assert challengers == [3, 26, 27, 28]


def test_about_the_configured_share_of_10000_cases_run_the_challenger():
    challengers = sum(variant_for(f"case-{n:05d}", 0.2) == "challenger" for n in range(10_000))

    assert 1850 <= challengers <= 2150


def test_raising_the_share_only_moves_cases_from_champion_to_challenger():
    ids = [f"case-{n}" for n in range(2_000)]
    at_10 = {i for i in ids if variant_for(i, 0.1) == "challenger"}
    at_20 = {i for i in ids if variant_for(i, 0.2) == "challenger"}

    assert at_10 < at_20


def test_a_share_of_zero_or_one_puts_every_case_on_one_side():
    assert {variant_for(f"c{n}", 0.0) for n in range(500)} == {"champion"}
    assert {variant_for(f"c{n}", 1.0) for n in range(500)} == {"challenger"}
    assert TABLE.variant_of("case-1") == variant_for("case-1", TABLE.challenger_share)
