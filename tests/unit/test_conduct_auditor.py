"""The conduct auditor can fail: a clean, realistic history (four borrowers, one of them in a zone with
daylight saving and one who moves zone, over March 2026) yields nothing; one violation of each kind
planted in a copy of it is caught, with its kind, and nothing else is reported."""
import json
from collections import Counter
from collections.abc import Callable

import pytest

from tests.helpers.conduct_builder import History, at
from tools.conduct import KINDS, Book, accepted, audit, run_audit, stored_attempts, summary

BOOK = Book.load()
SH, UR, NY = "Asia/Shanghai", "Asia/Urumqi", "America/New_York"
SH_PHONE, SH_PHONE_2, UR_OLD, UR_NEW = "13800000001", "13800000011", "13800000002", "13800000012"
NY_PHONE, TP_PHONE, TP_FRIEND = "+12125550100", "13800000005", "13900000005"


def clean() -> History:
    h = History(BOOK.version)
    h.borrower("c-sh", SH, [SH_PHONE, SH_PHONE_2], ("13900000001",), loans=("L1", "L2"))
    h.borrower("c-ur", UR, [UR_OLD], loans=("L3",))
    h.borrower("c-ny", NY, [NY_PHONE], loans=("L4",))
    h.borrower("c-tp", SH, [TP_PHONE], (TP_FRIEND,), loans=("L5",))
    for person, loan, case in (("c-sh", "L1", "K1"), ("c-sh", "L2", "K2"), ("c-ur", "L3", "K3"), ("c-ny", "L4", "K4"),
                               ("c-tp", "L5", "K5")):
        h.overdue(person, loan, case, at(SH, 1, "00:00"))
    for scenario in (_shanghai, _moving_to_shanghai, _new_york, _third_party_then_paid_up):
        scenario(h)
    return h


def _shanghai(h: History) -> None:
    """SMS every other day, calls every other day with a week's quiet after a conversation, an agreement
    with a new case opened under it, a complaint and a dispute with nothing sent meanwhile."""
    for day in range(2, 27, 2):
        h.attempt("c-sh", "K1", "sms", at(SH, day, "10:00"), number=SH_PHONE, outcome="delivered")
    for day in (3, 5, 7, 9, 19, 21, 23):
        h.attempt("c-sh", "K1", "call", at(SH, day, "15:00"), number=SH_PHONE_2, outcome="no_answer")
    h.attempt("c-sh", "K1", "call", at(SH, 11, "15:00"), number=SH_PHONE_2, outcome="reached")  # quiet until 18th
    h.attempt("c-sh", "K1", "call", at(SH, 25, "15:00"), number=SH_PHONE_2, outcome="wrong_number")
    h.attempt("c-sh", "K2", "call", at(SH, 2, "16:00"), number=SH_PHONE, outcome="no_answer")
    h.agreement("K2", at(SH, 5, "12:00"), fulfilled=at(SH, 20, "12:00"))
    h.paid_up("K2", at(SH, 8, "11:00"))
    h.overdue("c-sh", "L2", "K2b", at(SH, 12, "00:00"))  # while the agreement is in force
    h.attempt("c-sh", "K2b", "sms", at(SH, 21, "11:00"), number=SH_PHONE, outcome="delivered")
    h.complaint("c-sh", at(SH, 13, "09:00"), at(SH, 13, "20:00"))
    h.dispute("K1", at(SH, 26, "16:00"), at(SH, 27, "16:00"))


def _moving_to_shanghai(h: History) -> None:
    """A call a day at the same instant (seven in any seven days: 09:30 in Urumqi, 11:30 once in Shanghai);
    a message legal only on Urumqi's clock before the move, one legal only on Shanghai's after."""
    h.contact_updated("c-ur", at(SH, 10, "12:00"), time_zone=SH)
    h.contact_updated("c-ur", at(SH, 15, "12:00"), phones=[UR_NEW])
    for day in range(1, 27):
        h.attempt("c-ur", "K3", "call", at(UR, day, "09:30") if day <= 10 else at(SH, day, "11:30"),
                  number=UR_OLD if day <= 15 else UR_NEW, outcome="no_answer")
    h.attempt("c-ur", "K3", "sms", at(UR, 3, "20:00"), number=UR_OLD, outcome="delivered")  # 22:00 in Shanghai
    h.attempt("c-ur", "K3", "sms", at(SH, 11, "08:30"), number=UR_OLD, outcome="delivered")  # 06:30 in Urumqi
    h.visit("K3", UR, at(UR, 6, "12:00"), (at(UR, 7, "14:00"), at(UR, 7, "16:00")), checked_in=at(UR, 7, "14:20"))
    h.visit("K3", SH, at(SH, 16, "12:00"), (at(SH, 17, "10:00"), at(SH, 17, "12:00")), checked_in=at(SH, 17, "10:30"))
    h.complaint("c-ur", at(SH, 22, "12:30"), at(SH, 22, "14:00"))


def _new_york(h: History) -> None:
    """08:30 and 20:30 on a New York clock, before and after daylight saving starts (8 March 2026); then
    calls only, in the morning; then a stop request."""
    for day in (2, 5, 8, 11, 14):
        h.attempt("c-ny", "K4", "call", at(NY, day, "08:30"), number=NY_PHONE, outcome="no_answer")
    for day in (3, 9):
        h.attempt("c-ny", "K4", "sms", at(NY, day, "20:30"), number=NY_PHONE, outcome="delivered")
    h.preferences("c-ny", at(NY, 12, "12:00"), channel="call", hours=("08:00", "12:00"))
    h.preferences("c-ny", at(NY, 16, "12:00"), stop=True)


def _third_party_then_paid_up(h: History) -> None:
    """Three failed calls, then a locate-only message to a friend; the loan paid up (its visit cancelled),
    overdue again later under a new case."""
    for day, outcome in ((2, "no_answer"), (4, "failed"), (6, "no_answer")):
        h.attempt("c-tp", "K5", "call", at(SH, day, "11:00"), number=TP_PHONE, outcome=outcome)
    h.attempt("c-tp", "K5", "sms", at(SH, 7, "10:00"), number=TP_FRIEND, to="emergency_contact",
              template="third_party.locate.zh", outcome="delivered")
    h.paid_up("K5", at(SH, 12, "10:00"))
    h.visit("K5", SH, at(SH, 11, "12:00"), (at(SH, 14, "14:00"), at(SH, 14, "16:00")), cancelled=at(SH, 12, "10:05"))
    h.overdue("c-tp", "L5", "K5b", at(SH, 20, "00:00"))
    h.attempt("c-tp", "K5b", "call", at(SH, 21, "11:00"), number=TP_PHONE, outcome="no_answer")


def _sms(person: str, case: str, when, number: str, **more) -> Callable[[History], str]:
    return lambda h: h.attempt(person, case, "sms", when, number=number, outcome="delivered", **more)


def _call(person: str, case: str, when, number: str) -> Callable[[History], str]:
    return lambda h: h.attempt(person, case, "call", when, number=number, outcome="no_answer")


def _visit(case: str, day: int, window: tuple[str, str], checked_in: str | None, **more) -> Callable[[History], str]:
    return lambda h: h.visit(case, SH, at(SH, day - 1, "12:30"), (at(SH, day, window[0]), at(SH, day, window[1])),
                             checked_in=at(SH, day, checked_in) if checked_in else None, **more)


def _both(first: Callable[[History], str], second: Callable[[History], str]) -> Callable[[History], str]:
    return lambda h: (first(h), second(h))[1]


PLANTS: dict[str, tuple[str, Callable[[History], str]]] = {  # what, (the kind it must be caught as, plant it)
    "a call at 21:30 on a daylight-saving clock": ("outside_contact_hours", _call("c-ny", "K4", at(NY, 10, "21:30"),
                                                                                  NY_PHONE)),
    "a message at 21:30 after a zone change": ("outside_contact_hours", _sms("c-ur", "K3", at(SH, 12, "21:30"),
                                                                             UR_OLD)),
    "an 8th call in 7 days": ("rolling_call_cap", _call("c-ur", "K3", at(SH, 26, "17:00"), UR_NEW)),
    "a third SMS in a day": ("daily_cap", _both(_sms("c-sh", "K1", at(SH, 6, "12:00"), SH_PHONE),
                                                _sms("c-sh", "K1", at(SH, 6, "13:00"), SH_PHONE))),
    "a call 3 days after a conversation": ("call_after_conversation", _call("c-sh", "K1", at(SH, 14, "15:00"),
                                                                            SH_PHONE)),
    "an SMS after a stop request": ("contact_after_stop", _sms("c-ny", "K4", at(NY, 18, "12:00"), NY_PHONE)),
    "an SMS when only calls were wanted": ("channel_not_preferred", _sms("c-ny", "K4", at(NY, 13, "10:00"), NY_PHONE)),
    "a call outside the hours asked for": ("outside_preferred_hours", _call("c-ny", "K4", at(NY, 15, "14:00"),
                                                                            NY_PHONE)),
    "a call on a disputed loan": ("contact_on_disputed_loan", _call("c-sh", "K1", at(SH, 27, "10:00"), SH_PHONE)),
    "a visit check-in during an open complaint": ("contact_during_complaint",
                                                  _visit("K3", 22, ("12:00", "14:00"), "13:00")),
    "a visit check-in after the loan was paid up": ("contact_after_paid_up",
                                                    _visit("K5", 13, ("10:00", "12:00"), "10:30")),
    "a visit left to be missed after the loan was paid up": ("visit_not_cancelled", lambda h: h.visit(
        "K5", SH, at(SH, 11, "13:00"), (at(SH, 14, "18:00"), at(SH, 14, "20:00")), missed=at(SH, 14, "20:00"))),
    "an SMS under an agreement, on a case opened after signing": ("contact_under_agreement",
                                                                  _sms("c-sh", "K2b", at(SH, 14, "11:00"), SH_PHONE)),
    "a message revealing the debt to a friend": ("third_party_not_locate", _sms(
        "c-tp", "K5", at(SH, 8, "10:00"), TP_FRIEND, to="emergency_contact", template="sms.collection.zh")),
    "a friend asked while the borrower answers": ("third_party_while_reachable", _both(
        _sms("c-tp", "K5", at(SH, 9, "10:00"), TP_PHONE),
        _sms("c-tp", "K5", at(SH, 9, "15:00"), TP_FRIEND, to="emergency_contact", template="third_party.locate.zh"))),
    "a check-in outside the confirmed window": ("visit_outside_confirmed_window",
                                                _visit("K3", 25, ("14:00", "16:00"), "16:30")),
    "a check-in with no window confirmed": ("visit_unconfirmed", _visit("K3", 19, ("14:00", "16:00"), "14:30",
                                                                        confirmed_window=False)),
    "a visit with no decision recorded": ("visit_without_decision", _visit("K3", 27, ("10:00", "12:00"), "10:30",
                                                                           decided=False)),
    "an SMS to a number the borrower gave up": ("number_not_on_file", _sms("c-ur", "K3", at(SH, 23, "13:00"), UR_OLD)),
    "an SMS to a number reported wrong": ("contact_to_invalid_number", _sms("c-sh", "K1", at(SH, 26, "14:00"),
                                                                            SH_PHONE_2)),
    "a decision under another policy version": ("decision_incomplete", _sms("c-sh", "K1", at(SH, 24, "12:00"),
                                                                            SH_PHONE, version="2025-01-01.0")),
    "an attempt under a blocking rule": ("attempt_not_allowed", _sms("c-sh", "K1", at(SH, 22, "12:00"), SH_PHONE,
                                                                     rule_id="hours.window")),
    "an SMS sent but never published": ("attempt_without_decision", _sms("c-sh", "K1", at(SH, 20, "12:00"), SH_PHONE,
                                                                         published=False)),
}


def audited(h: History, book: Book = BOOK, with_table: bool = True):
    return run_audit(h.events, stored=stored_attempts(h.rows) if with_table else None, book=book)


def test_the_clean_history_has_no_breach_and_everything_in_it_could_be_checked():
    result = audited(clean())
    assert result.breaches == [], "\n".join(map(str, result.breaches))
    assert result.summary() == Counter()
    assert result.gaps == Counter()


def test_without_outreach_table_every_published_attempt_counts_and_the_numbers_go_unchecked():
    result = audited(clean(), with_table=False)
    assert result.breaches == []
    assert result.gaps["numbers: the number an attempt went to is not known (no outreach table)"] > 0


@pytest.mark.parametrize("planted", list(PLANTS))
def test_a_planted_violation_is_caught_with_its_kind_and_nothing_else(planted):
    kind, plant = PLANTS[planted]
    h = clean()
    ref = plant(h)
    breaches = audited(h).breaches
    assert [b.kind for b in breaches] == [kind], "\n".join(map(str, breaches))
    assert ref in breaches[0].detail and breaches[0].person in ("c-sh", "c-ur", "c-ny", "c-tp")


def test_every_violation_planted_at_once_is_caught():
    h = clean()
    refs = {plant(h): kind for kind, plant in PLANTS.values()}
    breaches = audit(h.events, stored=stored_attempts(h.rows), book=BOOK)
    assert summary(breaches) == Counter(refs.values())
    caught = {ref: kind for ref, kind in refs.items() if any(ref in b.detail and b.kind == kind for b in breaches)}
    assert caught == refs


def test_every_kind_can_be_planted():
    assert {kind for kind, _ in PLANTS.values()} | {"unanswered_calls_per_number"} == set(KINDS)


def test_unanswered_calls_to_one_number_in_a_day_are_capped_per_number():
    h = clean()
    book = Book.load(daily_cap={"sms": 2, "call": None, "visit": None}, rolling_calls=50)
    calls = [h.attempt("c-tp", "K5b", "call", at(SH, 22, f"{hour}:00"), number=TP_PHONE, outcome="no_answer")
             for hour in range(9, 16)]
    breaches = audited(h, book).breaches
    assert [(b.kind, b.about) for b in breaches] == [("unanswered_calls_per_number", TP_PHONE)]
    assert calls[-1] in breaches[0].detail


def test_an_attempt_withdrawn_before_it_was_sent_is_no_contact():
    h = clean()
    h.attempt("c-ny", "K4", "call", at(NY, 10, "22:00"), number=NY_PHONE, status="cancelled")
    assert audited(h).breaches == []
    assert [b.kind for b in audited(h, with_table=False).breaches] == ["outside_contact_hours"]


def test_a_send_time_in_outreach_table_is_the_time_of_contact():
    h = clean()
    late = h.attempt("c-ny", "K4", "sms", at(NY, 10, "20:50"), number=NY_PHONE)
    rows = [dict(row, sent_at=at(NY, 10, "21:10") if row["attempt_id"] == late else row["decided_at"])
            for row in h.rows]
    breaches = run_audit(h.events, stored=stored_attempts(rows), book=BOOK).breaches
    assert [(b.kind, b.at) for b in breaches] == [("outside_contact_hours", at(NY, 10, "21:10"))]


def test_a_redelivered_event_changes_nothing():
    h = clean()
    plant = PLANTS["a call 3 days after a conversation"][1]
    plant(h)
    twice = {kind: events + events for kind, events in h.events.items()}
    assert summary(audit(twice, stored=stored_attempts(h.rows), book=BOOK)) == Counter(["call_after_conversation"])


def test_a_case_overdue_again_under_its_own_id_may_be_contacted_again():
    h = clean()
    h.overdue("c-tp", "L5", "K5", at(SH, 16, "00:00"))  # the payment reversed: the same episode
    h.attempt("c-tp", "K5", "call", at(SH, 17, "11:00"), number=TP_PHONE, outcome="no_answer")
    assert audited(h).breaches == []


def test_a_failure_reported_at_the_very_instant_a_friend_is_asked_may_have_been_known():
    h = clean()  # c-tp's third failed call (6 March, 11:00) is reported two minutes later
    h.attempt("c-tp", "K5", "sms", at(SH, 6, "11:02"), number=TP_FRIEND, to="emergency_contact",
              template="third_party.locate.zh")
    assert audited(h).breaches == []


def test_a_cure_ends_the_case_it_names_even_when_a_new_case_opens_at_the_same_instant():
    h = clean()
    closing = at(SH, 23, "00:00")
    h.overdue("c-tp", "L5", "K5c", closing)  # announced first, at the same instant
    h.cured("K5b", closing)
    h.attempt("c-tp", "K5c", "call", at(SH, 24, "11:00"), number=TP_PHONE, outcome="no_answer")
    assert audited(h).breaches == []
    late = h.attempt("c-tp", "K5b", "sms", at(SH, 24, "12:00"), number=TP_PHONE, outcome="delivered")
    assert [(b.kind, b.about) for b in audited(h).breaches if late in b.detail] == [("contact_after_paid_up", "L5")]


def test_the_loan_topic_is_read_as_its_consumers_accept_it():
    h = clean()
    valid = [json.dumps(event).encode() for event in h.events["loan"]]
    unknown = json.dumps(dict(h.events["loan"][0], type="loan.teleported")).encode()
    violation = json.dumps(dict(h.events["loan"][0], data={"loan_id": "L1"})).encode()
    assert accepted([b"{not json", None, unknown, violation, *valid]) == h.events["loan"]
