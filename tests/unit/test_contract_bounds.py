"""Every field of every contract is bounded, and the codec refuses what is out of bounds.

Each bound is tested through `decode()`, the one door every consumed message goes through: a value just
past the bound is a `contract_violation` that names the field (never the value), and a realistic value,
or one just inside the bound, is read. A sample of every event type, with the values the platform and its
upstreams really send, passes unchanged.
"""
import copy
import json
import uuid
from typing import Any

import pytest
from pydantic.json_schema import models_json_schema

from shared.events.base import ID_PATTERN, MAX_AMOUNT, MAX_TOTAL
from shared.events.codec import CONTRACT_VIOLATION, DecodeError, decode
from shared.events.envelope import Envelope
from shared.events.registry import EVENT_TYPES
from simulator.book import BookConfig, build_book
from simulator.messages import MALFORMED
from simulator.script import build_plan

CASE = str(uuid.uuid5(uuid.UUID("79f3e8e1-506a-54de-9e58-66dc85948876"), "L-2026-000123:1"))  # as overdue makes it
ATTEMPT = str(uuid.UUID(int=1592590337))
OFFER = f"offer-{ATTEMPT}"
VISIT = f"visit-visit-{OFFER}"  # dispatch's visit id for outreach's request for an offer
AGREEMENT = f"agr-{VISIT}"  # agreement tracking's id for terms negotiated at that visit
LOAN, CUSTOMER = "L-2026-000123", "C-778812"
REF = {"case_id": CASE, "loan_id": LOAN, "customer_id": CUSTOMER}
AT = "2026-02-07T09:30:12+08:00"
ADDRESS = {"line": "朝阳区建国路12号3栋2单元502室", "city": "北京", "district": "朝阳区", "postal_code": "100022",
           "latitude": 39.9087, "longitude": 116.4605}
SNAPSHOT = {"loan_id": LOAN, "customer_id": CUSTOMER, "case_id": CASE, "business_date": "2026-02-06",
            "days_past_due": 1, "bucket": "1-30", "overdue_amount": 62_000, "outstanding_amount": 359_900,
            "currency": "CNY", "risk_segment": "medium"}
DECISION = {"customer_id": CUSTOMER, "case_id": CASE, "channel": "sms", "recipient": "borrower",
            "rule_id": "allowed", "policy_version": "2026-11-28.1", "strategy_variant": "champion", "decided_at": AT}
TERMS = {"currency": "CNY", "instalments": [{"due_date": "2026-03-01", "amount": 31_000},
                                            {"due_date": "2026-04-01", "amount": 31_000}], "waiver_amount": 0}
PROMISE = {"promise_id": f"promise-{ATTEMPT}", **REF, "amount": 62_000, "currency": "CNY", "due_date": "2026-02-10"}
SCHEDULE = [{"sequence": n, "due_date": f"2026-{n + 1:02d}-05", "amount_due": 62_000} for n in range(1, 7)]

SAMPLES: dict[str, dict[str, Any]] = {
    "loan.originated": {
        "loan_id": LOAN, "product": "instalment-6m", "merchant": "M-0042", "currency": "CNY", "principal": 359_900,
        "schedule": SCHEDULE,
        "borrower": {"customer_id": CUSTOMER, "name": "王芳", "phones": ["+86 138 0013 8000", "13900139000"],
                     "address": ADDRESS, "time_zone": "Asia/Urumqi",
                     "emergency_contacts": [{"name": "Wang Lei", "phone": "021-6888-0000", "relation": "sibling"}]},
    },
    "loan.payment_received": {"payment_id": "P-88120045", "loan_id": LOAN, "amount": 62_000, "currency": "CNY",
                              "paid_at": AT, "channel": "bank_transfer"},
    "loan.payment_reversed": {"payment_id": "P-88120045", "loan_id": LOAN, "amount": 62_000, "currency": "CNY",
                              "reversed_at": AT, "reason": "chargeback"},
    "loan.rescheduled": {"loan_id": LOAN, "schedule": SCHEDULE, "effective_from": "2026-02-01"},
    "loan.closed": {"loan_id": LOAN, "reason": "paid_off", "closed_at": AT},
    "loan.disputed": {"loan_id": LOAN, "dispute_id": "D-1", "reason": "goods_not_received", "disputed_at": AT},
    "loan.dispute_resolved": {"loan_id": LOAN, "dispute_id": "D-1", "outcome": "upheld", "resolved_at": AT},
    "customer.contact_updated": {"customer_id": CUSTOMER, "phones": ["+86 137 0013 7000"], "address": ADDRESS,
                                 "time_zone": "Asia/Shanghai"},
    "clock.ticked": {"now": "2026-02-08T00:00:05+08:00"},
    "delinquency.loan_became_overdue": SNAPSHOT,
    "delinquency.loan_bucket_changed": {**SNAPSHOT, "days_past_due": 31, "bucket": "31-60", "previous_bucket": "1-30"},
    "delinquency.loan_cured": {**SNAPSHOT, "days_past_due": 0, "bucket": None, "overdue_amount": 0},
    "delinquency.loan_settled": {**SNAPSHOT, "days_past_due": 0, "bucket": None, "overdue_amount": 0,
                                 "outstanding_amount": 0},
    "delinquency.loan_closed": {**SNAPSHOT, "case_id": None, "days_past_due": 0, "bucket": None, "overdue_amount": 0,
                                "outstanding_amount": 0, "reason": "written_off"},
    "delinquency.loan_paid_up": {"loan_id": LOAN, "customer_id": CUSTOMER, "case_id": CASE, "payment_id": "P-1",
                                 "paid_at": AT, "outstanding_amount": 20_000, "currency": "CNY"},
    "delinquency.loan_dispute_opened": {"loan_id": LOAN, "customer_id": CUSTOMER, "case_id": CASE,
                                        "dispute_id": "D-1", "at": AT, "reason": "goods_returned"},
    "delinquency.loan_dispute_resolved": {"loan_id": LOAN, "customer_id": CUSTOMER, "case_id": None,
                                          "dispute_id": "D-1", "at": AT, "outcome": "rejected"},
    "outreach.contact_preferences_changed": {"customer_id": CUSTOMER, "stop_contact": False,
                                             "preferred_channel": "sms", "preferred_hours_start": "09:00",
                                             "preferred_hours_end": "18:00", "changed_at": AT},
    "outreach.contact_attempted": {**DECISION, "attempt_id": ATTEMPT, "template_id": "sms.reminder.zh"},
    "outreach.contact_blocked": {**DECISION, "rule_id": "hours.window", "decision_id": str(uuid.UUID(int=1592590338)),
                                 "retry_at": "2026-02-08T08:00:00+08:00"},
    "outreach.contact_outcome_recorded": {"attempt_id": ATTEMPT, "customer_id": CUSTOMER, "case_id": CASE,
                                          "channel": "call", "outcome": "promise_to_pay", "recorded_at": AT},
    "outreach.promise_made": PROMISE,
    "outreach.promise_kept": {**PROMISE, "kept_on": "2026-02-09"},
    "outreach.promise_broken": {**PROMISE, "paid_amount": 10_000},
    "outreach.visit_requested": {"visit_request_id": f"visit-{OFFER}", **REF, "address": ADDRESS,
                                 "time_zone": "Asia/Shanghai", "window_start": "2026-02-09T10:00:00+08:00",
                                 "window_end": "2026-02-09T12:00:00+08:00", "confirmed_at": AT,
                                 "overdue_amount": 62_000, "currency": "CNY"},
    "outreach.legal_referral_made": {"referral_id": f"referral-{CASE}", **REF, "overdue_amount": 372_000,
                                     "currency": "CNY", "days_past_due": 181},
    "outreach.complaint_opened": {"complaint_id": str(uuid.UUID(int=1592590339)), "customer_id": CUSTOMER,
                                  "category": "conduct",
                                  "opened_at": AT},
    "outreach.complaint_resolved": {"complaint_id": str(uuid.UUID(int=1592590340)), "customer_id": CUSTOMER,
                                    "resolution": "upheld", "resolved_at": AT},
    "dispatch.visit_scheduled": {"visit_id": VISIT, **REF, "visit_request_id": f"visit-{OFFER}",
                                 "window_start": "2026-02-09T10:00:00+08:00",
                                 "window_end": "2026-02-09T12:00:00+08:00"},
    "dispatch.visit_assigned": {"visit_id": VISIT, **REF, "collector_ids": ["col-A", "col-3f9a0c1b2d4e"],
                                "planned_arrival": "2026-02-09T10:20:00+08:00"},
    "dispatch.visit_reassigned": {"visit_id": VISIT, **REF, "collector_ids": ["col-B"], "planned_arrival": None,
                                  "previous_collector_ids": ["col-A"], "reason": "certification_expired"},
    "dispatch.visit_cancelled": {"visit_id": VISIT, **REF, "reason": "loan_cured"},
    "dispatch.visit_unassignable": {"visit_id": VISIT, **REF, "reason": "outside_territory"},
    "dispatch.visit_checked_in": {"visit_id": VISIT, **REF, "collector_id": "col-A", "checked_in_at": AT},
    "dispatch.visit_missed": {"visit_id": VISIT, **REF, "replanned": True},
    "dispatch.visit_completed": {"visit_id": VISIT, **REF, "collector_id": "e2e-collector", "outcome": "negotiated",
                                 "terms": TERMS, "evidence": [f"rec-{VISIT}", "s3://evidence/2026/02/photo-1.jpg"],
                                 "completed_at": AT},
    "agreement.proposed": {"agreement_id": AGREEMENT, **REF, "terms": TERMS, "requires_approval": False,
                           "policy_version": "2026-12-01.1", "source": "visit", "proposed_at": AT},
    "agreement.approved": {"agreement_id": AGREEMENT, **REF, "approved_at": AT},
    "agreement.signed": {"agreement_id": AGREEMENT, **REF, "signed_at": AT, "method": "in_person_tablet",
                         "text_hash": "0" * 64},
    "agreement.instalment_paid": {"agreement_id": AGREEMENT, **REF, "sequence": 1, "due_date": "2026-03-01",
                                  "amount": 31_000},
    "agreement.instalment_missed": {"agreement_id": AGREEMENT, **REF, "sequence": 2, "due_date": "2026-04-01",
                                    "unpaid": 31_000},
    "agreement.broken": {"agreement_id": AGREEMENT, **REF, "case_id": None, "missed_instalments": 2, "unpaid": 62_000},
    "agreement.fulfilled": {"agreement_id": AGREEMENT, **REF, "fulfilled_at": AT},
    "agreement.ended": {"agreement_id": AGREEMENT, **REF, "reason": "loan_closed", "ended_at": AT},
}


def message(event_type: str, data: dict[str, Any] | None = None, **envelope: Any) -> bytes:
    document = {"specversion": "1.0", "id": str(uuid.UUID(int=1592590341)), "type": event_type,
                "source": "/upstream/mall-loan-system", "time": AT, "subject": LOAN,
                "datacontenttype": "application/json", "data": SAMPLES[event_type] if data is None else data,
                **envelope}
    return json.dumps(document, ensure_ascii=False).encode()


def changed(event_type: str, path: str, value: Any) -> dict[str, Any]:
    """The sample of `event_type` with the field at `path` ('borrower.phones.0') set to `value`."""
    data = copy.deepcopy(SAMPLES[event_type])
    *parents, last = [int(step) if step.isdigit() else step for step in path.split(".")]
    node: Any = data
    for step in parents:
        node = node[step]
    node[last] = value
    return data


def without(event_type: str, field: str) -> dict[str, Any]:
    return {key: value for key, value in SAMPLES[event_type].items() if key != field}


def refused(raw: bytes) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert caught.value.reason == CONTRACT_VIOLATION, caught.value.detail
    return caught.value


# --- realistic values pass --------------------------------------------------------------------------------


def test_every_event_type_has_a_sample():
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_a_realistic_message_of_every_type_is_read(event_type):
    decoded = decode(message(event_type))
    assert decoded.data.model_dump(mode="json") == {**decoded.data.model_dump(mode="json"), **SAMPLES[event_type]}


def test_every_message_a_simulated_book_sends_as_valid_is_read():
    plan = build_plan(build_book(BookConfig(seed=5, customers=150, days=150, id_prefix="BENCH-")))
    valid = [m for m in plan.messages() if m.kind != MALFORMED]
    assert len(valid) > 1_000
    for sent in valid:
        decode(sent.value)


@pytest.mark.parametrize("identifier", [
    str(uuid.UUID(int=1592590342)), "L-2026-000123", "LN7-0000001-1-P001-R", "BENCH-CU7-0000001",
    f"agr-visit-visit-offer-{ATTEMPT}",
    f"promise-{ATTEMPT}", "col-3f9a0c1b2d4e", "user@example.com", "urn:loan:42", "a", "x" * 128,
])
def test_ids_the_platform_and_its_upstreams_make_are_read(identifier):
    decode(message("loan.payment_received", changed("loan.payment_received", "payment_id", identifier)))
    decode(message("loan.closed", id=identifier))


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "021-6888-0000", "+1 415-555-0100", "110"])
def test_phone_numbers_as_people_write_them_are_read(phone):
    decode(message("loan.originated", changed("loan.originated", "borrower.phones.0", phone)))
    decode(message("customer.contact_updated", changed("customer.contact_updated", "phones", [phone])))


@pytest.mark.parametrize(("path", "value"), [
    ("schedule.0.due_date", "2000-01-01"), ("schedule.5.due_date", "2099-12-31"),
    ("principal", MAX_AMOUNT), ("schedule.0.amount_due", 0), ("schedule.0.amount_due", MAX_AMOUNT),
    ("schedule", [{"sequence": n, "due_date": "2026-03-05", "amount_due": 100} for n in range(1, 601)]),
    ("borrower.phones", ["13800138000"] * 10), ("borrower.emergency_contacts", []),
    ("borrower.name", "x" * 128), ("borrower.address.line", "12 Jianguo Road, Building 3, Unit 502"),
    ("borrower.address.postal_code", "SW1A 1AA"), ("borrower.address.postal_code", ""),
    ("borrower.address.district", None), ("borrower.time_zone", "America/Argentina/ComodRivadavia"),
    ("borrower.time_zone", "Etc/GMT-8"),
])
def test_values_at_the_edge_of_a_bound_are_read(path, value):
    decode(message("loan.originated", changed("loan.originated", path, value)))


@pytest.mark.parametrize(("event_type", "path", "value"), [
    ("loan.payment_received", "paid_at", "2000-01-01T00:00:00Z"),
    ("loan.payment_received", "paid_at", "2099-12-31T23:59:59.999999Z"),
    ("loan.payment_received", "paid_at", "2100-01-01T07:59:59+08:00"),  # 2099-12-31T23:59:59Z
    ("clock.ticked", "now", "2099-12-31T23:59:59Z"),
    ("delinquency.loan_became_overdue", "days_past_due", 36_525),
    ("delinquency.loan_became_overdue", "outstanding_amount", MAX_TOTAL),
    ("delinquency.loan_became_overdue", "overdue_amount", 600 * MAX_AMOUNT),  # sums may pass one amount's bound
    ("outreach.promise_made", "amount", MAX_TOTAL),
    ("agreement.instalment_paid", "sequence", 600),
    ("dispatch.visit_completed", "evidence", ["r"] * 20),
    ("dispatch.visit_assigned", "collector_ids", [f"col-{n}" for n in range(10)]),
])
def test_other_values_at_the_edge_of_a_bound_are_read(event_type, path, value):
    decode(message(event_type, changed(event_type, path, value)))


# --- out-of-bounds values are refused, naming the field but not the value --------------------------------


@pytest.mark.parametrize("bad", [
    "x" * 129, "", "L-1\x00", "\x00", "L 1", "L/1", "..\\L1", "L%2F1", "L-1\n", "-L1", ".hidden", "ﾛｰﾝ-1", "L1\u200b",
    "{\"$ne\": 1}", "L1;DROP",
])
def test_a_bad_id_is_refused_in_any_id_field(bad):
    for event_type, field in [("loan.payment_received", "payment_id"), ("loan.payment_received", "loan_id"),
                              ("loan.originated", "borrower.customer_id"), ("delinquency.loan_cured", "case_id"),
                              ("dispatch.visit_assigned", "collector_ids.0"), ("agreement.approved", "agreement_id"),
                              ("outreach.complaint_opened", "complaint_id"), ("dispatch.visit_checked_in", "visit_id")]:
        error = refused(message(event_type, changed(event_type, field, bad)))
        assert field.split(".")[-1] in error.detail or field.split(".")[0] in error.detail
        assert bad not in error.detail or bad == ""


@pytest.mark.parametrize("bad", ["x" * 129, "", "evt\x00", "evt/1", "evt 1"])
def test_a_bad_event_id_is_refused_in_the_envelope(bad):
    error = refused(message("loan.closed", id=bad))
    assert error.detail.startswith("envelope: id")


@pytest.mark.parametrize("bad", [
    "12", "+", "abc", "138 0013 8000 ext 5", "(021) 6888-0000", "+86.138.0013.8000", "+86\x00138", "1380013800-",
    " 13800138000", "13800138000\n", "1" * 33, "+86 138 0013 8000 1234 5678 9000 1",
])
def test_a_bad_phone_is_refused_wherever_a_phone_goes(bad):
    for event_type, path in [("loan.originated", "borrower.phones.0"),
                             ("loan.originated", "borrower.emergency_contacts.0.phone"),
                             ("customer.contact_updated", "phones.0")]:
        error = refused(message(event_type, changed(event_type, path, bad)))
        assert "phone" in error.detail
        assert len(bad.strip()) < 5 or bad.strip() not in error.detail


def test_lists_have_a_length_limit():
    contact = SAMPLES["loan.originated"]["borrower"]["emergency_contacts"][0]
    for event_type, path, too_long in [
        ("loan.originated", "borrower.phones", ["13800138000"] * 11),
        ("loan.originated", "borrower.emergency_contacts", [contact] * 11),
        ("loan.originated", "schedule", [{"sequence": n, "due_date": "2026-03-05", "amount_due": 1}
                                         for n in range(1, 602)]),
        ("loan.rescheduled", "schedule", [{"sequence": n, "due_date": "2026-03-05", "amount_due": 1}
                                          for n in range(1, 602)]),
        ("customer.contact_updated", "phones", ["13800138000"] * 11),
        ("dispatch.visit_completed", "evidence", ["rec-1"] * 21),
        ("dispatch.visit_assigned", "collector_ids", [f"col-{n}" for n in range(11)]),
        ("dispatch.visit_reassigned", "previous_collector_ids", [f"col-{n}" for n in range(11)]),
        ("agreement.proposed", "terms.instalments", [{"due_date": "2026-03-01", "amount": 1}] * 25),
    ]:
        error = refused(message(event_type, changed(event_type, path, too_long)))
        assert path.split(".")[-1] in error.detail and "at most" in error.detail


@pytest.mark.parametrize("bad", [
    "1999-12-31", "2100-01-01", "0001-01-01", "9999-12-31", "2100-01-01T00:00:00+00:00",
])
def test_a_date_outside_the_window_is_refused(bad):
    for event_type, path in [("loan.originated", "schedule.0.due_date"), ("loan.rescheduled", "effective_from"),
                             ("delinquency.loan_became_overdue", "business_date"),
                             ("outreach.promise_made", "due_date"), ("outreach.promise_kept", "kept_on"),
                             ("agreement.instalment_missed", "due_date"),
                             ("dispatch.visit_completed", "terms.instalments.0.due_date")]:
        data = changed(event_type, path, bad)
        if event_type == "loan.originated":  # out of order would be refused anyway; keep the schedule in order
            data["schedule"] = [data["schedule"][0]]
        error = refused(message(event_type, data))
        assert path.split(".")[-1] in error.detail and "2000-01-01" in error.detail


@pytest.mark.parametrize("bad", [
    "1999-12-31T23:59:59Z", "2000-01-01T07:59:59+08:00", "2100-01-01T00:00:00Z", "2100-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "9999-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z",
])
def test_an_instant_outside_the_window_is_refused(bad):
    for event_type, path in [("loan.payment_received", "paid_at"), ("loan.payment_reversed", "reversed_at"),
                             ("loan.closed", "closed_at"), ("clock.ticked", "now"),
                             ("outreach.contact_blocked", "retry_at"), ("dispatch.visit_scheduled", "window_end"),
                             ("agreement.signed", "signed_at")]:
        error = refused(message(event_type, changed(event_type, path, bad)))
        assert path in error.detail and "2100-01-01" in error.detail and bad not in error.detail
    error = refused(message("loan.closed", time=bad))
    assert error.detail.startswith("envelope: time")


def test_an_instant_still_needs_an_offset_and_a_unix_timestamp_is_windowed_too():
    refused(message("loan.closed", changed("loan.closed", "closed_at", "2026-02-07T09:30:12")))
    refused(message("loan.closed", changed("loan.closed", "closed_at", 0)))  # 1970
    refused(message("loan.closed", changed("loan.closed", "closed_at", 253_402_300_799)))  # 9999-12-31
    decode(message("loan.closed", changed("loan.closed", "closed_at", 1_770_427_812)))  # 2026


@pytest.mark.parametrize(("event_type", "path", "bad"), [
    ("loan.originated", "principal", 0), ("loan.originated", "principal", -1),
    ("loan.originated", "principal", MAX_AMOUNT + 1), ("loan.originated", "principal", 10**20),
    ("loan.originated", "schedule.0.amount_due", -1), ("loan.originated", "schedule.0.amount_due", MAX_AMOUNT + 1),
    ("loan.payment_received", "amount", 0), ("loan.payment_received", "amount", -62_000),
    ("loan.payment_received", "amount", MAX_AMOUNT + 1), ("loan.payment_received", "amount", 10**40),
    ("loan.payment_reversed", "amount", MAX_AMOUNT + 1),
    ("delinquency.loan_became_overdue", "overdue_amount", -1),
    ("delinquency.loan_became_overdue", "outstanding_amount", MAX_TOTAL + 1),
    ("outreach.promise_broken", "paid_amount", -5), ("outreach.promise_made", "amount", 0),
    ("outreach.visit_requested", "overdue_amount", 10**20),
    ("dispatch.visit_completed", "terms.waiver_amount", MAX_AMOUNT + 1),
    ("dispatch.visit_completed", "terms.instalments.0.amount", 0),
    ("agreement.instalment_missed", "unpaid", MAX_AMOUNT + 1), ("agreement.broken", "unpaid", -1),
])
def test_money_out_of_range_is_refused(event_type, path, bad):
    error = refused(message(event_type, changed(event_type, path, bad)))
    assert path.split(".")[-1] in error.detail
    assert abs(bad) < 1_000 or str(bad) not in error.detail


@pytest.mark.parametrize(("event_type", "path", "bad"), [
    ("loan.originated", "schedule.0.sequence", 0), ("loan.originated", "schedule.5.sequence", 601),
    ("delinquency.loan_became_overdue", "days_past_due", -1),
    ("delinquency.loan_became_overdue", "days_past_due", 36_526),
    ("outreach.legal_referral_made", "days_past_due", 10**20),
    ("agreement.instalment_paid", "sequence", 601), ("agreement.broken", "missed_instalments", 0),
    ("agreement.broken", "missed_instalments", 601),
    ("loan.originated", "borrower.address.latitude", 90.5), ("loan.originated", "borrower.address.longitude", -181),
])
def test_counts_and_coordinates_out_of_range_are_refused(event_type, path, bad):
    error = refused(message(event_type, changed(event_type, path, bad)))
    assert path.split(".")[-1] in error.detail


def test_not_a_number_is_not_a_coordinate():
    raw = message("loan.originated").replace(b'"latitude": 39.9087', b'"latitude": NaN')
    assert b"NaN" in raw
    refused(raw)


@pytest.mark.parametrize(("event_type", "path", "bad"), [
    ("loan.originated", "product", "x" * 129), ("loan.originated", "merchant", ""),
    ("loan.originated", "borrower.name", "Wang\x00Fang"), ("loan.originated", "borrower.name", "   "),
    ("loan.originated", "borrower.name", "\u3000"), ("loan.originated", "borrower.address.line", "12 Road\nUnit 5"),
    ("loan.originated", "borrower.address.line", "x" * 257), ("loan.originated", "borrower.address.city", "x" * 65),
    ("loan.originated", "borrower.address.district", "x" * 65),
    ("loan.originated", "borrower.address.district", "Chao\tyang"),
    ("loan.originated", "borrower.address.postal_code", "1000220000000000x"),
    ("loan.originated", "borrower.address.postal_code", "<script>"),
    ("loan.originated", "borrower.emergency_contacts.0.relation", "x" * 33),
    ("loan.payment_received", "channel", "x" * 33), ("loan.payment_received", "channel", "app\r\n"),
    ("loan.payment_reversed", "reason", "x" * 65), ("loan.payment_reversed", "reason", "\x7f"),
    ("delinquency.loan_became_overdue", "bucket", "x" * 33), ("delinquency.loan_became_overdue", "bucket", ""),
    ("delinquency.loan_bucket_changed", "previous_bucket", "x" * 33),
    ("outreach.contact_attempted", "template_id", "x" * 65), ("outreach.contact_attempted", "rule_id", ""),
    ("outreach.contact_blocked", "policy_version", "x" * 65),
    ("dispatch.visit_unassignable", "reason", "x" * 65), ("dispatch.visit_reassigned", "reason", "\x1b[31m"),
    ("dispatch.visit_completed", "evidence.0", "x" * 257), ("dispatch.visit_completed", "evidence.0", ""),
    ("agreement.proposed", "policy_version", "x" * 65),
    ("agreement.signed", "text_hash", "0" * 63), ("loan.payment_received", "currency", "cny"),
])
def test_free_text_out_of_bounds_is_refused(event_type, path, bad):
    error = refused(message(event_type, changed(event_type, path, bad)))
    assert path.split(".")[-1] in error.detail


@pytest.mark.parametrize("bad", ["x" * 65, "Asia/Shanghai\x00", "../../etc/passwd", "Asia/../Asia/Shanghai",
                                 "/usr/share/zoneinfo/UTC", "+08:00", "Mars/Olympus", "asia shanghai"])
def test_a_bad_time_zone_is_refused(bad):
    for event_type, path in [("loan.originated", "borrower.time_zone"), ("customer.contact_updated", "time_zone"),
                             ("outreach.visit_requested", "time_zone")]:
        error = refused(message(event_type, changed(event_type, path, bad)))
        assert "time_zone" in error.detail


def test_control_characters_never_reach_the_dead_letters_detail():
    error = refused(message("loan.payment_received", changed("loan.payment_received", "payment_id", "P\x00\x1b")))
    assert error.detail.isprintable()


# --- required means required --------------------------------------------------------------------------------


@pytest.mark.parametrize(("event_type", "field"), [
    ("delinquency.loan_became_overdue", "case_id"), ("delinquency.loan_cured", "bucket"),
    ("outreach.contact_attempted", "case_id"), ("outreach.contact_blocked", "retry_at"),
    ("outreach.contact_outcome_recorded", "case_id"), ("dispatch.visit_assigned", "planned_arrival"),
    ("dispatch.visit_completed", "terms"), ("dispatch.visit_completed", "evidence"),
    ("agreement.signed", "case_id"),
])
def test_an_outbound_field_that_may_be_null_must_still_be_sent(event_type, field):
    error = refused(message(event_type, without(event_type, field)))
    assert field in error.detail and "required" in error.detail.lower()
    decode(message(event_type, changed(event_type, field, None if field != "evidence" else [])))


@pytest.mark.parametrize(("event_type", "field"), [
    ("loan.rescheduled", "effective_from"), ("customer.contact_updated", "phones"),
    ("customer.contact_updated", "address"), ("customer.contact_updated", "time_zone"),
])
def test_the_inbound_fields_documented_as_optional_stay_optional(event_type, field):
    decode(message(event_type, without(event_type, field)))


def test_every_required_field_of_every_sample_is_required():
    for event_type, model in EVENT_TYPES.items():
        for name, field in model.model_fields.items():
            if field.is_required():
                error = refused(message(event_type, without(event_type, name)))
                assert name in error.detail, (event_type, name)


# --- every field has its bound: the published schema says so ----------------------------------------------


def _schemas() -> dict[str, dict[str, Any]]:
    _, document = models_json_schema([(model, "validation") for model in [Envelope, *EVENT_TYPES.values()]],
                                     ref_template="{model}")
    return document["$defs"]


def _leaves(schema: dict[str, Any], where: str):
    """Every (location, schema) of a value inside `schema`, through nullables and arrays."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "null" or "$ref" in option:
            continue
        yield where, option
        if option.get("type") == "array":
            yield from _leaves(option["items"], where + "[]")


FIXED_LENGTH_PATTERNS = {r"^[A-Z]{3}$", r"^[0-9a-f]{64}$"}  # currency, sha256


def test_every_string_number_and_list_of_every_contract_is_bounded():
    unbounded = []
    for model, schema in _schemas().items():
        for name, property_schema in schema["properties"].items():
            if name == "data" and model == "Envelope":
                continue  # the event's own model bounds it
            for where, leaf in _leaves(property_schema, f"{model}.{name}"):
                kind = leaf.get("type")
                if "enum" in leaf or "const" in leaf:
                    continue
                if kind == "string" and leaf.get("format") in ("date", "date-time"):
                    ok = "2100-01-01" in leaf.get("description", "") + property_schema.get("description", "")
                elif kind == "string":
                    ok = "maxLength" in leaf or leaf.get("pattern") in FIXED_LENGTH_PATTERNS
                elif kind in ("integer", "number"):
                    ok = ("minimum" in leaf or "exclusiveMinimum" in leaf) and "maximum" in leaf
                elif kind == "array":
                    ok = "maxItems" in leaf
                else:
                    ok = kind == "boolean"
                if not ok:
                    unbounded.append(where)
    assert not unbounded


CODES = {"rule_id", "template_id"}  # names from the rule book and the template catalogue: free text, length-bound


def test_every_id_of_every_contract_is_an_identifier():
    ids = []
    for model, schema in _schemas().items():
        for name, property_schema in schema["properties"].items():
            if (name == "id" or name.endswith(("_id", "_ids"))) and name not in CODES:
                leaves = [leaf for _, leaf in _leaves(property_schema, name) if leaf.get("type") == "string"]
                assert leaves and all(leaf["pattern"] == ID_PATTERN and leaf["maxLength"] == 128 for leaf in leaves), \
                    f"{model}.{name}"
                ids.append(name)
    assert {"case_id", "loan_id", "customer_id", "payment_id", "visit_id", "agreement_id", "collector_id",
            "attempt_id", "complaint_id", "collector_ids", "previous_collector_ids", "id"} <= set(ids)

