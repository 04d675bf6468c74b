"""Whatever the amounts, dates and payments: money is never lost or invented, and offered plans are signable."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.agreement.domain.months import add_months
from services.agreement.domain.options import plan_options, split
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Instalment, check_terms
from services.agreement.domain.tracking import allocate, missed, status_after

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
SCHEDULES = st.lists(st.builds(Instalment, DAYS, st.integers(1, 10**7)), min_size=1, max_size=13)
PAYMENTS = st.lists(st.integers(1, 10**7), max_size=20)


@st.composite
def policies(draw) -> AgreementPolicy:
    max_term = draw(st.integers(1, 24))
    terms = sorted(draw(st.sets(st.integers(1, max_term), min_size=1, max_size=5)))
    return AgreementPolicy(
        version="property", max_term_months=max_term, allowed_terms=tuple(terms),
        first_due_after_days=draw(st.integers(0, 40)),
        min_first_payment_share=Decimal(draw(st.integers(0, 100))) / 100,
        max_waiver_share=Decimal(draw(st.integers(0, 100))) / 100,
    )


@given(SCHEDULES, PAYMENTS)
def test_allocation_never_over_allocates_and_paid_plus_unpaid_is_what_was_due(schedule, payments):
    allocation = allocate(schedule, payments)

    assert sorted(p.index for p in allocation.instalments) == list(range(len(schedule)))
    for position in allocation.instalments:
        assert 0 <= position.paid <= position.amount == schedule[position.index].amount
        assert position.paid + position.unpaid == position.amount
    assert sum(p.paid for p in allocation.instalments) + allocation.credit == sum(payments)
    assert allocation.credit == 0 or allocation.fully_paid
    # oldest first: nothing later is paid while something earlier is still unpaid
    unpaid_seen = False
    for position in allocation.instalments:
        assert not (unpaid_seen and position.paid > 0)
        unpaid_seen = unpaid_seen or position.unpaid > 0


@given(SCHEDULES, PAYMENTS, DAYS, st.integers(0, 10))
def test_a_missed_instalment_is_unpaid_and_past_its_grace(schedule, payments, today, grace):
    allocation = allocate(schedule, payments)
    by_index = {p.index: p for p in allocation.instalments}

    for index in missed(allocation, today, grace):
        assert by_index[index].unpaid > 0 and today > by_index[index].due_date + timedelta(days=grace)
    policy = AgreementPolicy(version="p", grace_days=grace)
    assert (status_after(allocation, today, policy) == "fulfilled") == allocation.fully_paid


@given(st.integers(0, 10**9), DAYS, policies())
def test_every_offered_plan_is_exact_and_passes_the_policy_it_was_built_from(overdue, today, policy):
    options = plan_options(overdue, "CNY", today, policy)

    assert [o.instalment_count for o in options] == sorted(o.instalment_count for o in options)
    for option in options:
        amounts = [i.amount for i in option.schedule]
        assert option.instalment_count in policy.allowed_terms and len(amounts) == option.instalment_count
        assert sum(amounts) == overdue and min(amounts) > 0 and amounts[0] == max(amounts)
        assert amounts[0] >= policy.min_first_payment(overdue)
        assert check_terms(option.terms, overdue, today, policy) == []


@given(st.integers(1, 10**9), st.integers(1, 24), st.integers(0, 100))
def test_split_adds_up_exactly(total, count, percent):
    first_at_least = total * percent // 100

    amounts = split(total, count, first_at_least)

    if amounts is not None:
        assert sum(amounts) == total and len(amounts) == count and amounts[0] >= first_at_least
        assert len(set(amounts[1:])) <= 1 and min(amounts) > 0
    else:
        assert count > 1 and (total < count or total - first_at_least < count - 1)


@given(DAYS, st.integers(0, 200))
def test_a_month_later_never_overshoots_the_month(day, months):
    later = add_months(day, months)

    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)
