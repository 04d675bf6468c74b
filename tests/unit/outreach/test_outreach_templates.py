"""Only a message to the borrower can carry the debt; a third-party message cannot even be built with it."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.outreach.domain.catalog import TEMPLATES
from services.outreach.domain.disclosure import mentions_debt
from services.outreach.domain.templates import (
    BorrowerFields,
    BorrowerTemplate,
    ThirdPartyFields,
    ThirdPartyTemplate,
    render,
)

THIRD_PARTY = [t for t in TEMPLATES.values() if isinstance(t, ThirdPartyTemplate)]
BORROWER = [t for t in TEMPLATES.values() if isinstance(t, BorrowerTemplate)]
DEBT = BorrowerFields(first_name="Wei", amount_overdue=123456, currency="CNY", due_date=date(2026, 5, 15),
                      loan_product="Mall instalments", callback_number="400-820-8820")
phone_numbers = st.from_regex(r"\A\+?[0-9][0-9 \-]{4,19}\Z", fullmatch=True)


def test_the_catalog_ships_third_party_templates_in_english_and_chinese():
    assert {t.template_id for t in THIRD_PARTY} == {"third_party.locate.en", "third_party.locate.zh"}


@settings(max_examples=200, deadline=None)
@given(template=st.sampled_from(THIRD_PARTY), number=phone_numbers)
def test_every_third_party_template_renders_without_any_mention_of_debt(template, number):
    text = render(template, ThirdPartyFields(callback_number=number))

    assert number in text
    assert not mentions_debt(text)


@pytest.mark.parametrize("debt_field", [
    {"amount_overdue": 123456}, {"due_date": "2026-05-15"}, {"loan_product": "Mall instalments"},
    {"first_name": "Wei"}, {"currency": "CNY"},
])
def test_third_party_fields_cannot_be_built_with_anything_but_a_callback_number(debt_field):
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ThirdPartyFields(callback_number="400-820-8820", **debt_field)


@pytest.mark.parametrize("smuggled", ["you owe 1234", "¥1234", "400-820 逾期", "call us re: debt"])
def test_the_callback_number_cannot_smuggle_words_or_amounts_in(smuggled):
    with pytest.raises(ValidationError):
        ThirdPartyFields(callback_number=smuggled)


def test_a_third_party_template_cannot_be_filled_with_the_borrowers_debt():
    with pytest.raises(TypeError, match="ThirdPartyTemplate cannot be filled with BorrowerFields"):
        render(THIRD_PARTY[0], DEBT)


@pytest.mark.parametrize("text", [
    "Please call {callback_number} about {amount_overdue}.",
    "Ask them to call {callback_number} by {due_date}.",
    "Call {callback_number.__class__}.",
    "Call {0}.",
])
def test_a_third_party_template_may_use_no_field_but_the_callback_number(text):
    with pytest.raises(ValueError, match="unknown fields"):
        ThirdPartyTemplate("bad", text)


@pytest.mark.parametrize("text", [
    "Please ask them to call {callback_number} about their loan.",
    "请转告其尽快还款，回电{callback_number}。",
    "This is Mall Consumer Finance, please call {callback_number}.",
])
def test_a_third_party_template_whose_own_words_reveal_the_debt_cannot_be_made(text):
    with pytest.raises(ValueError, match="mentions the debt"):
        ThirdPartyTemplate("bad", text)


def test_borrower_templates_carry_the_debt_details():
    text = render(TEMPLATES["sms.collection.zh"], DEBT)

    assert "CNY 1,234.56" in text and "2026-05-15" in text and "Mall instalments" in text
    assert all(mentions_debt(render(t, DEBT)) for t in BORROWER if "amount_overdue" in t.text)


def test_amounts_are_shown_in_the_currencys_own_units():
    yen = DEBT.model_copy(update={"amount_overdue": 123456, "currency": "JPY"})

    assert "JPY 123,456" in render(BorrowerTemplate("t", "{amount_overdue}"), yen)


def test_a_borrower_template_cannot_be_filled_with_third_party_fields():
    with pytest.raises(TypeError):
        render(BORROWER[0], ThirdPartyFields(callback_number="400-820-8820"))


@pytest.mark.parametrize("text", [
    "Your payment is overdue", "outstanding debts", "about your loan", "the amount", "you owe us",
    "arrears", "balance due", "please repay", "instalment", "collection agency", "credit card", "lender",
    "欠款", "逾期", "还款", "债务", "催收", "贷款", "借款", "金额",
    "¥500", "￥1,200.00", "$12.50", "500元", "3万", "RMB 300", "CNY1200", "USD 40", "20 dollars",
])
def test_debt_is_spotted_in_english_chinese_and_figures_of_money(text):
    assert mentions_debt(text)


@pytest.mark.parametrize("text", [
    "Please ask them to call us back on +86 138 0013 8000.",
    "麻烦您转告其回电400-820-8820，谢谢。",
    "We will call again at 10:30 tomorrow.",
    "Hello, is this a good time?",
])
def test_an_ordinary_callback_request_is_not_a_debt_mention(text):
    assert not mentions_debt(text)
