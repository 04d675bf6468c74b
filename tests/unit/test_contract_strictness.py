"""Contracts are strict when a producer builds them and tolerant when a consumer reads them."""
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.events.base import READING
from shared.events.clock import ClockTicked
from shared.events.codec import decode, encode
from shared.events.loan import LoanRescheduled, PaymentReceived

PAID_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def payment(**extra):
    return PaymentReceived(payment_id="P-1", loan_id="L-1", amount=100, currency="CNY", paid_at=PAID_AT,
                           channel="alipay", **extra)


def test_building_an_event_with_a_field_the_contract_lacks_is_an_error():
    with pytest.raises(ValidationError, match="overdue_amount"):
        payment(overdue_amount=100)


def test_a_consumed_event_with_fields_from_a_newer_producer_keeps_the_known_ones():
    _, raw = encode(payment(), source="tests", time=PAID_AT, subject="L-1")
    newer = raw.replace(b'"channel":"alipay"', b'"channel":"alipay","terminal":"POS-7"')
    newer = newer.replace(b'"specversion":"1.0"', b'"specversion":"1.0","partitionkey":"L-1"')
    decoded = decode(newer)
    assert decoded.data == payment()
    assert not hasattr(decoded.data, "terminal")


def test_every_contract_is_strict_when_built():
    with pytest.raises(ValidationError, match="speed"):
        ClockTicked(now=PAID_AT, speed=2)


def test_nested_parts_of_a_consumed_event_are_read_tolerantly_too():
    document = {"loan_id": "L-1", "schedule": [{"sequence": 1, "due_date": "2026-04-10", "amount_due": 500,
                                               "fee_code": "F1"}], "reason": "restructured"}
    rescheduled = LoanRescheduled.model_validate(document, context=READING)
    assert rescheduled.schedule[0].amount_due == 500
    with pytest.raises(ValidationError, match="fee_code"):
        LoanRescheduled.model_validate(document)
