"""A loan's whole delinquency life through the real broker and database."""
from datetime import date

from tests.helpers.loan_events import (
    closed,
    dispute_resolved,
    disputed,
    local,
    originated,
    payment,
    reversal,
    tick_closing,
)
from tests.helpers.overdue import portal_token
from tests.helpers.waiting import eventually

SCHEDULE = [(date(2026, 2, 5), 10_000), (date(2026, 3, 5), 10_000), (date(2026, 4, 5), 10_000)]


async def emitted_types(overdue, count: int) -> list[str]:
    async def enough():
        events = await overdue.emitted()
        return events if len(events) >= count else None

    return [e["type"] for e in await eventually(enough, what=f"{count} delinquency events")]


async def closed_through(overdue, day: date) -> None:
    async def reached():
        clock = await overdue.clock()
        return clock is not None and clock["last_closed_date"] == day

    await eventually(reached, what=f"business date {day} closed")


async def test_overdue_bucket_moves_cure_and_settlement(overdue):
    await overdue.send(originated("L1", "C1", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 5)))
    await closed_through(overdue, date(2026, 2, 5))
    assert await overdue.emitted() == []  # due today is not overdue today

    await overdue.send(tick_closing(date(2026, 2, 6)))
    assert await emitted_types(overdue, 1) == ["delinquency.loan_became_overdue"]

    await overdue.send(tick_closing(date(2026, 3, 9)))  # skipped days are each closed
    await emitted_types(overdue, 2)
    await overdue.send(payment("P1", "L1", 10_000, local(date(2026, 3, 10))), tick_closing(date(2026, 3, 10)))
    await emitted_types(overdue, 3)

    status, statement = await overdue.get("/loans/L1/statement")
    assert status == 200
    assert [(line["due_date"], line["outstanding"], line["days_past_due"]) for line in statement["lines"]] == [
        ("2026-03-05", 10_000, 6)
    ]
    assert (statement["overdue_amount"], statement["outstanding_amount"], statement["bucket"]) == (
        10_000, 20_000, "1-30"
    )

    await overdue.send(payment("P2", "L1", 20_000, local(date(2026, 3, 11), 12)))  # acknowledged before the tick
    await overdue.send(tick_closing(date(2026, 3, 11)))
    events = await overdue.emitted()
    events = await eventually(lambda: _at_least(overdue, 6), what="paid up, cure and settlement")
    assert [e["type"] for e in events] == [
        "delinquency.loan_became_overdue", "delinquency.loan_bucket_changed", "delinquency.loan_bucket_changed",
        "delinquency.loan_paid_up", "delinquency.loan_cured", "delinquency.loan_settled",
    ]
    became, up, down, paid_up, cured, settled = (e["data"] for e in events)
    assert (paid_up["payment_id"], paid_up["outstanding_amount"]) == ("P2", 0)
    assert (became["days_past_due"], became["bucket"], became["overdue_amount"]) == (1, "1-30", 10_000)
    assert (up["previous_bucket"], up["bucket"], up["business_date"]) == ("1-30", "31-60", "2026-03-08")
    assert (down["previous_bucket"], down["bucket"], down["days_past_due"]) == ("31-60", "1-30", 5)
    assert became["case_id"] == up["case_id"] == down["case_id"] == cured["case_id"]
    assert settled["outstanding_amount"] == 0 and became["customer_id"] == "C1"
    assert {e["data"]["risk_segment"] for e in events if "risk_segment" in e["data"]} <= {"low", "medium", "high"}


async def _at_least(overdue, count):
    events = await overdue.emitted()
    return events if len(events) >= count else None


async def test_late_payment_for_a_closed_day_cures_at_once(overdue):
    await overdue.send(originated("L2", "C2", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    # paid on time, delivered late: the days already closed are re-evaluated with it
    await overdue.send(payment("P3", "L2", 10_000, local(date(2026, 2, 5))))
    assert await emitted_types(overdue, 2) == ["delinquency.loan_became_overdue", "delinquency.loan_cured"]


async def test_payment_before_its_loan_is_held_then_applied(overdue):
    await overdue.send(payment("P4", "L3", 10_000, local(date(2026, 2, 4))))
    await eventually(lambda: overdue.query("SELECT 1 FROM payments WHERE payment_id = 'P4'"), what="payment held")
    await overdue.send(originated("L3", "C3", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 20)))
    await closed_through(overdue, date(2026, 2, 20))
    status, statement = await overdue.get("/loans/L3/statement", token=portal_token("C3"))
    assert status == 200 and statement["paid_total"] == 10_000 and statement["days_past_due"] == 0
    assert await overdue.emitted() == []


async def test_a_closed_loan_is_announced_once_and_no_longer_followed(overdue):
    await overdue.send(originated("L4", "C4", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(closed("L4", "written_off", local(date(2026, 2, 11))),
                       closed("L4", "written_off", local(date(2026, 2, 11))))
    await overdue.send(tick_closing(date(2026, 3, 20)))
    await closed_through(overdue, date(2026, 3, 20))
    events = await overdue.emitted()
    assert [e["type"] for e in events] == ["delinquency.loan_became_overdue", "delinquency.loan_closed"]
    assert events[1]["data"]["reason"] == "written_off"
    assert events[1]["data"]["case_id"] == events[0]["data"]["case_id"]


async def test_statement_needs_a_known_loan_and_a_token(overdue):
    await overdue.send(originated("L5", "C5", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 1, 31)))
    await closed_through(overdue, date(2026, 1, 31))
    assert (await overdue.get("/loans/nope/statement"))[0] == 404
    assert (await overdue.get("/loans/L5/statement", token=None))[0] == 401
    assert (await overdue.get("/loans/L5/statement", token="wrong"))[0] == 401
    assert (await overdue.get("/loans/L5/statement", token="t-ops"))[0] == 403
    assert (await overdue.get("/loans/L5/statement?on=yesterday"))[0] == 400
    status, body = await overdue.get("/readyz", token=None)
    assert status == 200 and body["ready"] is True


async def test_a_closure_read_ahead_of_the_clock_takes_effect_on_its_own_day(overdue):
    """Replayed, a loan's later events are read before the ticks of the days between: a payment and a
    closure still count on their own days, so the loan closes as it would have live."""
    await overdue.send(originated("L5", "C5", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(payment("P5", "L5", 10_000, local(date(2026, 2, 12))),
                       closed("L5", "written_off", local(date(2026, 2, 14))))
    await overdue.send(tick_closing(date(2026, 2, 13)))
    assert await emitted_types(overdue, 3) == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up",
                                               "delinquency.loan_cured"]
    await overdue.send(tick_closing(date(2026, 2, 20)))
    await closed_through(overdue, date(2026, 2, 20))
    events = await overdue.emitted()
    assert [e["type"] for e in events] == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up",
                                           "delinquency.loan_cured", "delinquency.loan_closed"]
    closing = events[3]["data"]
    assert (closing["business_date"], closing["outstanding_amount"]) == ("2026-02-14", 20_000)


async def test_a_payment_clearing_what_is_overdue_is_announced_at_once_and_once(overdue):
    await overdue.send(originated("L6", "C6", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(payment("P6", "L6", 10_000, local(date(2026, 2, 11))),  # no tick: announced when read
                       payment("P7", "L6", 5_000, local(date(2026, 2, 11), 11)))
    assert await emitted_types(overdue, 2) == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up"]
    became, paid_up = (e["data"] for e in await overdue.emitted())
    assert (paid_up["case_id"], paid_up["payment_id"]) == (became["case_id"], "P6")
    assert paid_up["outstanding_amount"] == 20_000
    await overdue.send(tick_closing(date(2026, 2, 11)))
    assert await emitted_types(overdue, 3) == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up",
                                               "delinquency.loan_cured"]


async def test_a_payment_read_ahead_of_the_clock_is_announced_when_the_day_before_it_closes(overdue):
    await overdue.send(originated("L7", "C7", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)),
                       payment("P8", "L7", 10_000, local(date(2026, 2, 13))))
    await overdue.send(tick_closing(date(2026, 2, 11)))
    await closed_through(overdue, date(2026, 2, 11))
    assert [e["type"] for e in await overdue.emitted()] == ["delinquency.loan_became_overdue"]
    await overdue.send(tick_closing(date(2026, 2, 12)))
    assert await emitted_types(overdue, 2) == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up"]
    paid_up = (await overdue.emitted())[1]
    assert paid_up["time"].startswith("2026-02-13T02:00:00")  # the payment's time (10:00 in Shanghai)
    await overdue.send(tick_closing(date(2026, 2, 13)))
    assert (await emitted_types(overdue, 3))[2] == "delinquency.loan_cured"


async def test_a_dispute_is_passed_on_at_once_and_marks_the_loans_delinquency_events(overdue):
    await overdue.send(originated("L8", "C8", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(disputed("D1", "L8", local(date(2026, 2, 11))), disputed("D1", "L8", local(date(2026, 2, 11))))
    assert await emitted_types(overdue, 2) == ["delinquency.loan_became_overdue", "delinquency.loan_dispute_opened"]
    await overdue.send(tick_closing(date(2026, 3, 9)))  # 32 days past due: the bucket changes while disputed
    events = await eventually(lambda: _at_least(overdue, 3), what="bucket change")
    assert (events[2]["type"], events[2]["data"]["disputed"]) == ("delinquency.loan_bucket_changed", True)
    assert events[0]["data"]["disputed"] is False and events[1]["data"]["case_id"] == events[0]["data"]["case_id"]
    await overdue.send(dispute_resolved("D1", "L8", local(date(2026, 3, 10))))
    events = await eventually(lambda: _at_least(overdue, 4), what="dispute resolved")
    assert (events[3]["type"], events[3]["data"]["outcome"]) == ("delinquency.loan_dispute_resolved", "rejected")


async def test_a_reversal_removes_its_payment_from_every_date_and_corrects_forward_on_arrival(overdue):
    await overdue.send(originated("L9", "C9", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(payment("P9", "L9", 10_000, local(date(2026, 2, 11))))
    await overdue.send(tick_closing(date(2026, 2, 11)))
    assert await emitted_types(overdue, 3) == ["delinquency.loan_became_overdue", "delinquency.loan_paid_up",
                                               "delinquency.loan_cured"]
    await overdue.send(reversal("P9", "L9", 10_000, local(date(2026, 2, 12), 9)))  # no tick: on arrival
    events = await eventually(lambda: _at_least(overdue, 4), what="the case reopened")
    reopened = events[3]["data"]
    assert events[3]["type"] == "delinquency.loan_became_overdue"
    assert (reopened["business_date"], reopened["days_past_due"]) == ("2026-02-11", 6)  # from the unpaid due date
    assert reopened["case_id"] != events[0]["data"]["case_id"], "announced events stand: a new case"
    status, statement = await overdue.get("/loans/L9/statement?on=2026-02-11", token=portal_token("C9"))
    assert status == 200 and statement["paid_total"] == 0, "the reversed payment is gone from every date"


async def test_a_reversal_read_ahead_of_the_clock_corrects_as_it_would_have_live(overdue):
    """Replayed, the payment and its reversal are read before the ticks of their days: the events are the
    same as when they were read live (the test above), business dates and case ids included."""
    await overdue.send(originated("L10", "C1", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 10)))
    await emitted_types(overdue, 1)
    await overdue.send(payment("P10", "L10", 10_000, local(date(2026, 2, 11))),
                       reversal("P10", "L10", 10_000, local(date(2026, 2, 12), 9)))
    await overdue.send(tick_closing(date(2026, 2, 11)), tick_closing(date(2026, 2, 12)))
    await closed_through(overdue, date(2026, 2, 12))
    events = await eventually(lambda: _at_least(overdue, 4), what="paid up, cured, reopened")
    assert [(e["type"], e["data"]["business_date"] if "business_date" in e["data"] else None,
             e["data"].get("days_past_due")) for e in events] == [
        ("delinquency.loan_became_overdue", "2026-02-10", 5), ("delinquency.loan_paid_up", None, None),
        ("delinquency.loan_cured", "2026-02-11", 0), ("delinquency.loan_became_overdue", "2026-02-11", 6)]
