"""The simulator's loan book: deterministic, realistic, and arithmetically exact."""
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from simulator.book import BEHAVIOURS, BookConfig, build_book, make_schedule, split_instalments
from simulator.dates import add_months, monthly_due_dates
from simulator.places import CITIES

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CONFIG = BookConfig(seed=11, customers=200, start_date=date(2026, 1, 1), days=90)


def test_same_seed_builds_the_same_book_and_another_seed_does_not():
    assert build_book(CONFIG) == build_book(CONFIG)
    assert build_book(CONFIG).loans != build_book(BookConfig(seed=12, customers=200)).loans


def test_due_dates_keep_the_origination_day_clamped_to_the_month():
    assert monthly_due_dates(date(2028, 1, 31), 3) == [date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]
    assert monthly_due_dates(date(2027, 1, 31), 2) == [date(2027, 2, 28), date(2027, 3, 31)]
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert monthly_due_dates(date(2026, 1, 15), 12)[-1] == date(2027, 1, 15)


@given(total=st.integers(min_value=1, max_value=10**9), count=st.sampled_from([1, 3, 6, 12, 24]))
def test_instalments_split_exactly(total, count):
    parts = split_instalments(total, count)
    assert sum(parts) == total and len(parts) == count
    assert max(parts) - min(parts) <= 1


def test_a_schedule_sums_to_its_total_with_monthly_sequences():
    schedule = make_schedule(date(2028, 1, 31), 1_000_001, 6)
    assert sum(instalment.amount_due for instalment in schedule) == 1_000_001
    assert [instalment.sequence for instalment in schedule] == [1, 2, 3, 4, 5, 6]
    assert schedule[0].due_date == date(2028, 2, 29)


def test_loans_are_plausible_mall_loans():
    book = build_book(CONFIG)
    assert len(book.borrowers) == 200 and 200 <= len(book.loans) <= 600
    window_end = date(2026, 2, 15)
    for loan in book.loans:
        assert 800_00 <= loan.principal <= 30_000_00
        assert len(loan.schedule) in (3, 6, 12)
        assert loan.total_due == loan.principal + loan.fee and 0 <= loan.fee < loan.principal * 0.05
        assert loan.schedule[0].due_date == add_months(loan.originated_on, 1)
        assert CONFIG.start_date <= loan.originated_on < window_end
        assert loan.behaviour.kind in BEHAVIOURS
        loan.originated_event()  # validates against the contract
    assert len({loan.originated_on for loan in book.loans}) > 20, "originations are spread out"
    assert len({loan.loan_id for loan in book.loans}) == len(book.loans)


def test_behaviour_mix_is_configurable_and_respected():
    book = build_book(BookConfig(seed=3, customers=100, behaviour_mix={"never": 1.0}))
    assert {loan.behaviour.kind for loan in book.loans} == {"never"}
    mixed = build_book(BookConfig(seed=3, customers=400))
    assert {loan.behaviour.kind for loan in mixed.loans} == set(BEHAVIOURS)


def test_borrowers_look_like_chinese_mainland_customers():
    book = build_book(CONFIG)
    centres = {city.name: city for city in CITIES}
    zones = set()
    for borrower in book.borrowers:
        assert 2 <= len(borrower.name) <= 3
        assert all(MOBILE.match(phone) for phone in borrower.phones)
        assert all(MOBILE.match(contact.phone) for contact in borrower.emergency_contacts)
        city = centres[borrower.address.city]
        assert borrower.address.district in city.districts
        assert abs(borrower.address.latitude - city.latitude) < 0.1
        assert abs(borrower.address.longitude - city.longitude) < 0.1
        zones.add(borrower.time_zone)
    assert "Asia/Shanghai" in zones and zones <= {"Asia/Shanghai", "Asia/Urumqi"}
    assert any(borrower.emergency_contacts for borrower in book.borrowers)
