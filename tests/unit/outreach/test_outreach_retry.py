"""retry_at: the earliest instant the same request could be allowed, in the borrower's own zone."""
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.outreach.domain.model import Attempt, ContactRequest, PersonHistory, Preferences
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.domain.windows import HoursWindow

SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
PHONE = "+15550000001"
BOOK = RuleBook.load()
CALL = ContactRequest("cust-1", "case-1", "call", "borrower", PHONE, "collection")
SMS = replace(CALL, channel="sms", purpose="reminder")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def in_zone(zone: ZoneInfo, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


def history(zone: str = "Asia/Shanghai", calls=(), sms=(), outcome="no_answer", **changes) -> PersonHistory:
    made = [Attempt("call", PHONE, "borrower", at, outcome) for at in calls]
    made += [Attempt("sms", PHONE, "borrower", at, "delivered") for at in sms]
    return PersonHistory(zone, attempts=tuple(made), phones=frozenset({PHONE}), **changes)


def retry(request, person, now, book=BOOK) -> datetime | None:
    decision = decide(request, person, book, now)
    assert not decision.allowed
    return decision.retry_at


def test_after_hours_the_retry_is_the_next_morning_in_the_borrowers_zone():
    assert retry(CALL, history(), in_zone(SHANGHAI, 2026, 6, 10, 21, 0)) == in_zone(SHANGHAI, 2026, 6, 11, 8)
    assert retry(CALL, history(), in_zone(SHANGHAI, 2026, 6, 10, 6, 15)) == in_zone(SHANGHAI, 2026, 6, 10, 8)


def test_the_same_instant_is_judged_on_each_borrowers_own_wall_clock():
    instant = utc(2026, 6, 10, 14, 0)  # 22:00 in Shanghai, 10:00 in New York

    assert retry(CALL, history("Asia/Shanghai"), instant) == in_zone(SHANGHAI, 2026, 6, 11, 8)
    assert decide(CALL, history("America/New_York"), BOOK, instant).allowed


@pytest.mark.parametrize("now, opening", [
    (utc(2026, 3, 8, 11, 30), utc(2026, 3, 8, 12, 0)),  # 07:30 EDT on the day clocks spring forward
    (utc(2026, 3, 8, 2, 0), utc(2026, 3, 8, 12, 0)),  # 21:00 EST the evening before: next is 08:00 EDT
    (utc(2026, 11, 1, 12, 30), utc(2026, 11, 1, 13, 0)),  # 07:30 EST on the 25-hour day
    (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 13, 0)),  # 01:30 EDT, the first of two 01:30s
    (utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 13, 0)),  # 01:30 EST, the second
])
def test_the_window_reopens_at_08_00_local_across_daylight_saving(now, opening):
    assert not decide(CALL, history("America/New_York"), BOOK, opening - timedelta(seconds=1)).allowed
    assert retry(CALL, history("America/New_York"), now) == opening


def test_the_evening_before_clocks_spring_forward_is_in_hours_until_21_00_est():
    assert decide(CALL, history("America/New_York"), BOOK, utc(2026, 3, 8, 1, 59)).allowed  # 20:59 EST


def test_a_daily_cap_waits_for_the_next_local_day_and_then_its_window():
    person = history(sms=[in_zone(SHANGHAI, 2026, 6, 10, 9), in_zone(SHANGHAI, 2026, 6, 10, 10)])

    assert retry(SMS, person, in_zone(SHANGHAI, 2026, 6, 10, 11)) == in_zone(SHANGHAI, 2026, 6, 11, 8)


def test_a_daily_cap_on_the_25_hour_day_waits_for_the_next_local_morning():
    calls = [utc(2026, 11, 1, 13, 0), utc(2026, 11, 1, 14, 0), utc(2026, 11, 1, 15, 0)]  # 08-10:00 EST

    assert retry(CALL, history("America/New_York", calls), utc(2026, 11, 2, 1, 0)) == utc(2026, 11, 2, 13, 0)


def test_the_rolling_cap_waits_until_the_oldest_call_leaves_the_seven_days():
    calls = [in_zone(SHANGHAI, 2026, 6, day, 10, 15) for day in range(3, 10)]

    at = retry(CALL, history(calls=calls), in_zone(SHANGHAI, 2026, 6, 9, 15))

    assert at == in_zone(SHANGHAI, 2026, 6, 10, 10, 15)
    assert decide(CALL, history(calls=calls), BOOK, at).allowed
    assert not decide(CALL, history(calls=calls), BOOK, at - timedelta(seconds=1)).allowed


def test_the_quiet_period_ends_seven_days_of_24_hours_after_the_conversation():
    person = history(calls=[in_zone(SHANGHAI, 2026, 6, 8, 16, 20)], outcome="reached")

    assert retry(CALL, person, in_zone(SHANGHAI, 2026, 6, 10, 12)) == in_zone(SHANGHAI, 2026, 6, 15, 16, 20)


def test_a_quiet_period_ending_before_the_window_across_a_clock_change_waits_for_the_window():
    # 08:30 EDT + 7 x 24 h is 07:30 EST, before the window opens.
    person = history("America/New_York", calls=[utc(2026, 10, 30, 12, 30)], outcome="promise_to_pay")

    assert retry(CALL, person, utc(2026, 10, 31, 15, 0)) == utc(2026, 11, 6, 13, 0)  # 08:00 EST


def test_a_preferred_evening_after_the_window_closes_moves_to_the_next_days_preferred_hours():
    person = history(preferences=Preferences(preferred_hours=HoursWindow(time(20), time(22))))

    decision = decide(CALL, person, BOOK, in_zone(SHANGHAI, 2026, 6, 10, 21, 30))

    assert decision.rule_id == "hours.window"
    assert decision.retry_at == in_zone(SHANGHAI, 2026, 6, 11, 20)


def test_preferred_hours_that_never_meet_the_contact_hours_need_a_person():
    person = history(preferences=Preferences(preferred_hours=HoursWindow(time(22), time(23))))

    decision = decide(CALL, person, BOOK, in_zone(SHANGHAI, 2026, 6, 10, 12))

    assert (decision.rule_id, decision.retry_at) == ("preference.hours", None)


def test_a_window_opening_at_a_missing_local_time_opens_when_the_clocks_jump():
    early = BOOK.model_copy(update={"contact_hours": BOOK.contact_hours.model_copy(update={"start": time(2, 30)})})

    assert retry(CALL, history("America/New_York"), utc(2026, 3, 8, 5, 0), early) == utc(2026, 3, 8, 7, 0)
    # A wall time of 02:30 that day does not exist; zoneinfo reads it as 03:30 EDT, which is in hours.
    assert decide(CALL, history("America/New_York"), early, datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK)).allowed


@pytest.mark.parametrize("changes, request_", [
    ({"open_complaint": True}, CALL),
    ({"preferences": Preferences(stop_contact=True)}, CALL),
    ({"preferences": Preferences(preferred_channel="sms")}, CALL),
    ({"invalid_destinations": frozenset({PHONE})}, CALL),
    ({}, replace(CALL, recipient="emergency_contact", destination="+15550000099", purpose="locate")),
    ({}, replace(CALL, recipient="emergency_contact", destination="+15550000099", purpose="collection")),
])
def test_blocks_only_a_person_can_lift_have_no_retry_time(changes, request_):
    assert retry(request_, history(**changes), in_zone(SHANGHAI, 2026, 6, 10, 12)) is None


def test_a_person_block_at_night_still_has_no_retry_time():
    assert retry(CALL, history(open_complaint=True), in_zone(SHANGHAI, 2026, 6, 10, 23)) is None
