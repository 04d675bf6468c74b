import hashlib
from datetime import date, datetime, timedelta, timezone

import pytest

from services.agreement.domain.evidence import Signature, agreement_text, text_hash
from services.agreement.domain.lifecycle import (
    AgreementState,
    Approval,
    TransitionError,
    approve,
    end,
    follow,
    propose,
    sign,
)
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Terms
from shared.refusal import Conflict

POLICY = AgreementPolicy(version="test")
AT = datetime(2024, 1, 24, 10, 30, tzinfo=timezone(timedelta(hours=8)))
PLAIN = Terms("CNY", ((date(2024, 2, 1), 40_000), (date(2024, 3, 1), 60_000)))
WAIVED = Terms("CNY", ((date(2024, 2, 1), 140_000),), waiver_amount=60_000)


def text_of(terms):
    return agreement_text(terms, agreement_id="agr-1", loan_id="loan-1", customer_id="cust-1", policy=POLICY)


def signature_for(terms, method="in_person_tablet"):
    return Signature("cust-1", method, AT, text_hash(text_of(terms)))


def proposed(terms):
    return propose(terms, text_of(terms), POLICY)


def test_an_agreement_without_a_large_waiver_is_signed_straight_away_and_tracked_to_fulfilment():
    state = proposed(PLAIN)
    assert (state.status, state.approval_required, state.policy_version) == ("proposed", False, "test")

    state = sign(state, signature_for(PLAIN))
    assert state.status == "active" and state.signature.method == "in_person_tablet"
    assert follow(state, "active") == state
    assert follow(state, "fulfilled").status == "fulfilled"
    assert follow(state, "broken").status == "broken"


def test_a_large_waiver_waits_for_a_supervisor_before_the_borrower_may_sign():
    state = proposed(WAIVED)
    assert state.approval_required

    with pytest.raises(TransitionError) as refused:
        sign(state, signature_for(WAIVED))
    assert refused.value.rule_id == "transition.approval_required"

    state = approve(state, Approval("sup-7", AT))
    assert state.status == "approved" and state.approval.supervisor == "sup-7"
    assert sign(state, signature_for(WAIVED)).status == "active"


@pytest.mark.parametrize("step, rule_id", [
    (lambda: approve(proposed(PLAIN), Approval("sup-7", AT)), "transition.approval_not_needed"),
    (lambda: approve(approve(proposed(WAIVED), Approval("sup-7", AT)), Approval("sup-8", AT)), "transition.illegal"),
    (lambda: approve(sign(proposed(PLAIN), signature_for(PLAIN)), Approval("sup-7", AT)), "transition.illegal"),
    (lambda: sign(sign(proposed(PLAIN), signature_for(PLAIN)), signature_for(PLAIN)), "transition.illegal"),
    (lambda: sign(end(proposed(PLAIN), "paid_off"), signature_for(PLAIN)), "transition.illegal"),
    (lambda: sign(proposed(PLAIN), signature_for(WAIVED)), "signature.text_mismatch"),
    (lambda: follow(proposed(PLAIN), "fulfilled"), "transition.illegal"),
    (lambda: follow(approve(proposed(WAIVED), Approval("s", AT)), "active"), "transition.illegal"),
])
def test_illegal_steps_are_refused_with_a_stable_rule_id(step, rule_id):
    with pytest.raises(TransitionError) as refused:
        step()
    assert refused.value.rule_id == rule_id


@pytest.mark.parametrize("status", ["fulfilled", "broken", "ended"])
def test_an_agreement_that_is_over_stays_over_whatever_arrives_later(status):
    state = AgreementState(status, False, "0" * 64, "test")

    assert follow(state, "active") == state
    assert end(state, "paid_off") == state


@pytest.mark.parametrize("state", [proposed(PLAIN), approve(proposed(WAIVED), Approval("s", AT)),
                                   sign(proposed(PLAIN), signature_for(PLAIN))])
def test_a_loan_closed_upstream_ends_an_agreement_that_is_not_over(state):
    ended = end(state, "written_off")

    assert (ended.status, ended.end_reason) == ("ended", "written_off")


def test_a_second_agreement_cannot_come_into_force_beside_one_already_active_on_the_loan():
    with pytest.raises(TransitionError) as refused:
        sign(proposed(PLAIN), signature_for(PLAIN), another_in_force=True)
    assert refused.value.rule_id == "agreement.in_force"
    # the agreement's own state is judged first: signing an active one twice is illegal, whatever else
    with pytest.raises(TransitionError) as refused:
        sign(sign(proposed(PLAIN), signature_for(PLAIN)), signature_for(PLAIN), another_in_force=True)
    assert refused.value.rule_id == "transition.illegal"


def test_an_illegal_step_is_a_conflict_refusal_coded_by_its_rule():
    with pytest.raises(Conflict) as refused:
        approve(proposed(PLAIN), Approval("sup-7", AT))
    assert (refused.value.code, refused.value.kind) == ("transition.approval_not_needed", "conflict")
    assert refused.value.message == "its waiver is within the threshold"


def test_tracking_reports_only_what_it_can_report():
    with pytest.raises(ValueError):
        follow(sign(proposed(PLAIN), signature_for(PLAIN)), "approved")


@pytest.mark.parametrize("kwargs", [
    dict(signer="", method="e_signature", signed_at=AT, text_hash="a" * 64),
    dict(signer="c", method="fax", signed_at=AT, text_hash="a" * 64),
    dict(signer="c", method="e_signature", signed_at=AT.replace(tzinfo=None), text_hash="a" * 64),
    dict(signer="c", method="e_signature", signed_at=AT, text_hash="A" * 64),
    dict(signer="c", method="e_signature", signed_at=AT, text_hash="a" * 63),
])
def test_signature_evidence_must_be_complete(kwargs):
    with pytest.raises(ValueError):
        Signature(**kwargs)


def test_approval_names_a_supervisor_and_a_zoned_time():
    with pytest.raises(ValueError):
        Approval("", AT)
    with pytest.raises(ValueError):
        Approval("sup", AT.replace(tzinfo=None))


def test_the_agreement_text_is_canonical_and_its_hash_is_sha256_hex():
    text = text_of(Terms("CNY", ((date(2024, 3, 1), 60_000), (date(2024, 2, 1), 40_005)), waiver_amount=995))

    assert text == (
        "Repayment agreement agr-1 (agreement-text/1, policy test)\n"
        "Loan: loan-1\n"
        "Borrower: cust-1\n"
        "Amount overdue: 1010.00 CNY\n"
        "Waived: 9.95 CNY\n"
        "To pay: 1000.05 CNY in 2 instalments\n"
        "  1. due 2024-02-01: 400.05 CNY\n"
        "  2. due 2024-03-01: 600.00 CNY\n"
        "The borrower agrees to pay each instalment by its due date.\n")
    assert text_hash(text) == hashlib.sha256(text.encode()).hexdigest()
    assert text_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert text_of(PLAIN) == text_of(PLAIN) and text_hash(text_of(PLAIN)) != text_hash(text_of(WAIVED))


def test_the_text_uses_the_currency_s_own_minor_units_and_only_currencies_the_policy_covers():
    yen = AgreementPolicy(version="test", currencies={"JPY": 0})
    terms = Terms("JPY", ((date(2024, 2, 1), 5_000),))

    text = agreement_text(terms, agreement_id="a", loan_id="l", customer_id="c", policy=yen)

    assert "To pay: 5000 JPY in 1 instalment\n" in text
    with pytest.raises(ValueError):
        text_of(terms)
