import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.overdue.domain.risk import RiskInputs, risk_points, risk_segment

ORDER = {"low": 0, "medium": 1, "high": 2}


def inputs(**overrides) -> RiskInputs:
    good_borrower = dict(
        days_past_due=2, overdue_amount=1000, outstanding_amount=3000, principal=12000,
        paid_total=9000, prior_episodes=0, instalments_paid_late=0, instalments_due=9,
    )
    return RiskInputs(**{**good_borrower, **overrides})


def test_a_borrower_with_a_clean_history_briefly_late_is_low_risk():
    assert risk_segment(inputs()) == "low"


def test_a_long_overdue_repeat_defaulter_who_repaid_little_is_high_risk():
    worst = inputs(days_past_due=120, overdue_amount=5000, outstanding_amount=11000, paid_total=1000,
                   prior_episodes=3, instalments_paid_late=3, instalments_due=4)

    assert risk_segment(worst) == "high"


def test_days_past_due_alone_moves_a_good_borrower_up_but_not_to_the_top():
    assert risk_segment(inputs(days_past_due=91)) == "medium"


def test_history_counts_even_when_the_current_delay_is_short():
    assert risk_segment(inputs(prior_episodes=2, instalments_paid_late=5)) == "medium"


@pytest.mark.parametrize("factor, points", [
    (dict(days_past_due=7), 0), (dict(days_past_due=8), 1), (dict(days_past_due=30), 1),
    (dict(days_past_due=31), 2), (dict(days_past_due=61), 3), (dict(days_past_due=91), 4),
    (dict(instalments_paid_late=1, instalments_due=6), 0), (dict(instalments_paid_late=1, instalments_due=5), 1),
    (dict(instalments_paid_late=1, instalments_due=2), 2),
    (dict(prior_episodes=1), 1), (dict(prior_episodes=2), 2), (dict(prior_episodes=9), 2),
    (dict(paid_total=6001, outstanding_amount=5999), 0), (dict(paid_total=6000, outstanding_amount=6000), 1),
    (dict(paid_total=2001, outstanding_amount=7999), 1), (dict(paid_total=2000, outstanding_amount=8000), 2),
    (dict(overdue_amount=1199), 0), (dict(overdue_amount=1200), 1), (dict(overdue_amount=3600), 2),
])
def test_each_factor_scores_as_the_documented_table_says(factor, points):
    baseline = dict(days_past_due=0, overdue_amount=0, outstanding_amount=0, principal=12000,
                    paid_total=12000, prior_episodes=0, instalments_paid_late=0, instalments_due=0)

    assert risk_points(RiskInputs(**{**baseline, **factor})) == points


def test_negative_inputs_are_refused():
    with pytest.raises(ValueError, match="prior_episodes"):
        inputs(prior_episodes=-1)


def test_a_loan_with_nothing_due_yet_has_no_late_history_against_it():
    assert risk_segment(inputs(instalments_due=0, instalments_paid_late=0, overdue_amount=0, days_past_due=0)) == "low"


amounts = st.integers(0, 2_000_000)
counts = st.integers(0, 40)


@st.composite
def inputs_and_worse(draw):
    due = draw(counts)
    better = RiskInputs(
        days_past_due=draw(st.integers(0, 400)), overdue_amount=draw(amounts),
        outstanding_amount=draw(amounts), principal=draw(st.integers(1, 2_000_000)),
        paid_total=draw(amounts), prior_episodes=draw(counts),
        instalments_paid_late=draw(st.integers(0, due)), instalments_due=due,
    )
    worse = RiskInputs(
        days_past_due=better.days_past_due + draw(st.integers(0, 400)),
        overdue_amount=better.overdue_amount + draw(amounts),
        outstanding_amount=better.outstanding_amount + draw(amounts),
        principal=better.principal,
        paid_total=better.paid_total - draw(st.integers(0, better.paid_total)),
        prior_episodes=better.prior_episodes + draw(counts),
        instalments_paid_late=draw(st.integers(better.instalments_paid_late, due)),
        instalments_due=due,
    )
    return better, worse


@given(inputs_and_worse())
def test_worse_inputs_never_give_a_better_segment(pair):
    better, worse = pair

    assert ORDER[risk_segment(worse)] >= ORDER[risk_segment(better)]


@given(inputs_and_worse())
def test_the_segment_is_deterministic(pair):
    better, _ = pair

    assert risk_segment(better) == risk_segment(RiskInputs(**vars(better)))
