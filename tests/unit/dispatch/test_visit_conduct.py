"""The one rule every visit passes: scheduled, when a fact arrives, and at the door."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.dispatch.domain.conduct import ALLOWED, HOLD_RULES, VisitFacts, VisitPreferences, visit_rule

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)


def facts(holds=(), preferences=None, zone="Asia/Shanghai") -> VisitFacts:
    return VisitFacts(frozenset(holds), preferences, START, END, zone)


def test_nothing_against_it_allows_the_visit():
    assert visit_rule(facts()) == ALLOWED
    assert visit_rule(facts(preferences=VisitPreferences())) == ALLOWED


@pytest.mark.parametrize("hold", HOLD_RULES)
def test_every_hold_forbids_the_visit_with_its_own_rule(hold):
    assert visit_rule(facts(holds=[hold])) == hold


def test_a_complaint_is_reported_first_when_several_holds_apply():
    assert visit_rule(facts(holds=["agreement.in_force", "complaint.open", "dispute.open"])) == "complaint.open"


@pytest.mark.parametrize("preferences, rule", [
    (VisitPreferences(stop_contact=True), "preference.stop_contact"),
    (VisitPreferences(preferred_channel="sms"), "preference.channel"),
    (VisitPreferences(preferred_channel="call"), "preference.channel"),
    (VisitPreferences(preferred_channel="visit"), ALLOWED),
    (VisitPreferences(hours_start=time(9), hours_end=time(12)), ALLOWED),
    (VisitPreferences(hours_start=time(10, 30), hours_end=time(18)), "preference.hours"),
    (VisitPreferences(hours_start=time(8), hours_end=time(11, 59)), "preference.hours"),
])
def test_the_borrowers_preferences_decide_visits_too(preferences, rule):
    assert visit_rule(facts(preferences=preferences)) == rule


def test_preferred_hours_are_read_on_the_borrowers_own_clock():
    # 10:00-12:00 in Shanghai is 11:00-13:00 in Tokyo: outside 09:00-12:30 there
    tokyo = VisitPreferences(hours_start=time(9), hours_end=time(12, 30))
    assert visit_rule(facts(preferences=tokyo)) == ALLOWED
    assert visit_rule(facts(preferences=tokyo, zone="Asia/Tokyo")) == "preference.hours"
