import json
from datetime import date

from services.overdue.domain.allocation import Payment, ScheduledInstalment
from services.overdue.domain.buckets import DEFAULT_BUCKETS, BucketTable
from services.overdue.domain.delinquency import Policy
from services.overdue.domain.statement import build_statement

POLICY = Policy(grace_days=0, buckets=BucketTable.parse(DEFAULT_BUCKETS))
SCHEDULE = [ScheduledInstalment(n, date(2026, n, 15), 1000) for n in range(1, 5)]


def statement_on(on: date, payments: list[Payment]):
    return build_statement("loan-7", "CNY", SCHEDULE, payments, on, POLICY).as_dict()


def test_the_statement_itemises_each_overdue_instalment_and_why():
    statement = statement_on(date(2026, 3, 20), [Payment("p1", 1300, date(2026, 1, 20))])

    assert statement["lines"] == [
        {"sequence": 2, "due_date": "2026-02-15", "amount_due": 1000, "paid": 300,
         "outstanding": 700, "days_past_due": 33},
        {"sequence": 3, "due_date": "2026-03-15", "amount_due": 1000, "paid": 0,
         "outstanding": 1000, "days_past_due": 5},
    ]
    assert statement["overdue_amount"] == 1700
    assert statement["outstanding_amount"] == 2700
    assert statement["paid_total"] == 1300
    assert statement["credit"] == 0
    assert statement["days_past_due"] == 33
    assert statement["bucket"] == "31-60"
    assert statement["business_date"] == "2026-03-20"
    assert statement["loan_id"] == "loan-7" and statement["currency"] == "CNY"


def test_an_instalment_due_on_the_statement_date_is_not_yet_overdue():
    statement = statement_on(date(2026, 1, 15), [])

    assert statement["lines"] == []
    assert statement["overdue_amount"] == 0
    assert statement["bucket"] is None
    assert statement["outstanding_amount"] == 4000


def test_payments_after_the_statement_date_do_not_appear():
    statement = statement_on(date(2026, 1, 20), [Payment("p1", 1000, date(2026, 1, 21))])

    assert [line["sequence"] for line in statement["lines"]] == [1]
    assert statement["paid_total"] == 0


def test_an_overpaid_loan_shows_its_credit_and_nothing_overdue():
    statement = statement_on(date(2026, 5, 1), [Payment("p1", 4500, date(2026, 1, 2))])

    assert statement["lines"] == []
    assert statement["credit"] == 500
    assert statement["outstanding_amount"] == 0


def test_the_statement_survives_a_json_round_trip():
    statement = statement_on(date(2026, 3, 20), [Payment("p1", 1300, date(2026, 1, 20))])

    assert json.loads(json.dumps(statement)) == statement
