"""Both CloudEvents content modes of the Kafka binding go through the one codec, under the same bounds
and dead-letter reasons; the official SDK's own Kafka messages are read as they are."""
import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import kafka as sdk_kafka
from cloudevents.core.v1.event import CloudEvent

from shared.events.codec import (
    CONTRACT_VIOLATION,
    INVALID_JSON,
    MAX_MESSAGE_BYTES,
    MAX_NESTING,
    TOO_DEEP,
    TOO_LARGE,
    DecodeError,
    decode,
)
from shared.kafka.records import DeadLetter
from tests.unit.test_contract_bounds import SAMPLES, message

TYPE = "loan.payment_received"
DATA = SAMPLES[TYPE]
ATTRIBUTES = {"ce_specversion": b"1.0", "ce_id": b"evt-1", "ce_type": TYPE.encode(), "ce_source": b"/upstream/mall",
              "ce_time": b"2026-02-07T01:30:12Z", "ce_subject": b"L-2026-000123"}


def binary(*, drop: str | None = None, value: bytes | None = None, **more: bytes) -> tuple[bytes | None, list]:
    headers = {**ATTRIBUTES, "content-type": b"application/json", **more}
    body = json.dumps(DATA).encode() if value is None else value
    return body, [(name, text) for name, text in headers.items() if name != drop]


def refused(value: bytes | None, headers: list, reason: str = CONTRACT_VIOLATION) -> str:
    with pytest.raises(DecodeError) as caught:
        decode(value, headers)
    assert caught.value.reason == reason, caught.value.detail
    return caught.value.detail


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=\"UTF-8\"", "application/json;",
                                          "application/json; profile=loan"])
def test_a_json_datacontenttype_with_parameters_is_read_in_both_modes(content_type):
    assert decode(message(TYPE, datacontenttype=content_type)).envelope.datacontenttype == content_type
    value, headers = binary(**{"content-type": content_type.encode()})
    assert decode(value, headers).envelope.datacontenttype == content_type


@pytest.mark.parametrize("content_type", ["application/json; charset=iso-8859-1", "text/plain", "application/xml",
                                          "application/cloudevents+json", "application/json; charset", ""])
def test_a_datacontenttype_that_is_not_utf8_json_is_a_contract_violation(content_type):
    with pytest.raises(DecodeError) as caught:
        decode(message(TYPE, datacontenttype=content_type))
    assert caught.value.reason == CONTRACT_VIOLATION and caught.value.detail.startswith("envelope: datacontenttype")
    value, headers = binary(**{"content-type": content_type.encode()})
    if not content_type.startswith("application/cloudevents"):  # that one says structured mode
        assert refused(value, headers).startswith("headers: content-type")


def test_a_binary_event_is_the_same_event_as_its_structured_form():
    value, headers = binary()
    read = decode(value, headers)
    structured = decode(message(TYPE, id="evt-1", source="/upstream/mall", time="2026-02-07T01:30:12Z"))
    assert read.envelope == structured.envelope and read.data == structured.data


def test_without_content_type_ce_specversion_makes_a_record_binary():
    value, headers = binary(drop="content-type")
    assert decode(value, headers).envelope.datacontenttype == "application/json"


@pytest.mark.parametrize("header", ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time"])
def test_a_binary_event_missing_a_required_attribute_is_a_contract_violation_naming_the_header(header):
    value, headers = binary(drop=header)
    assert refused(value, headers) == f"headers: {header}: Field required"


@pytest.mark.parametrize(("header", "bad"), [("ce_id", b"has space"), ("ce_specversion", b"0.3"),
                                             ("ce_time", b"2026-02-07T01:30:12"), ("ce_source", b"")])
def test_a_bad_binary_attribute_is_named_by_its_header_never_its_value(header, bad):
    value, headers = binary(**{header: bad})
    detail = refused(value, headers)
    assert detail.startswith(f"headers: {header}: ") and (not bad or bad.decode() not in detail)


def test_repeated_or_undecodable_attribute_headers_are_contract_violations():
    value, headers = binary()
    assert refused(value, headers + [("ce_id", b"evt-2")]) == "headers: ce_id: given more than once"
    assert refused(*binary(ce_subject=b"\xff")) == "headers: ce_subject: not UTF-8"


def test_extension_and_other_headers_are_ignored():
    value, headers = binary(ce_partitionkey=b"L-1", ce_traceparent=b"00-1-2-01")
    assert decode(value, headers + [("x-junk", b"\x00\xff")]).envelope.id == "evt-1"


def test_the_binary_data_must_be_a_json_object():
    assert refused(None, binary()[1], INVALID_JSON) == "the data (the message value) is not a JSON object"
    assert refused(b'["a"]', binary()[1], INVALID_JSON) == "the data (the message value) is not a JSON object"
    assert refused(b"{not json", binary()[1], INVALID_JSON) == "JSONDecodeError"


def test_the_same_bounds_hold_in_binary_mode():
    deep = b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)
    assert refused(deep, binary()[1], TOO_DEEP)
    value, headers = binary()
    padding = [("x-padding", b"x" * (MAX_MESSAGE_BYTES - len(value)))]
    assert refused(value, headers + padding, TOO_LARGE).endswith(f"over the limit of {MAX_MESSAGE_BYTES}")


def test_a_structured_event_is_read_with_or_without_its_content_type():
    raw = message(TYPE)
    for content_type in (b"application/cloudevents+json", b"application/cloudevents+json; charset=UTF-8",
                         b"APPLICATION/CLOUDEVENTS+JSON"):
        assert decode(raw, [("content-type", content_type)]).data == decode(raw).data


def test_a_structured_event_with_the_old_relay_headers_is_still_read_as_structured():
    """Before the relay wrote content-type it wrote ce_id and ce_type beside a structured value."""
    raw = message(TYPE)
    assert decode(raw, [("ce_id", b"whatever"), ("ce_type", TYPE.encode())]).data == decode(raw).data


def test_other_event_formats_are_refused():
    for content_type in (b"application/cloudevents+avro", b"application/cloudevents-batch+json"):
        assert refused(message(TYPE), [("content-type", content_type)]).startswith("headers: content-type")


def test_a_structured_value_sent_with_a_plain_json_content_type_is_read_as_binary_and_refused():
    """The binding: any content-type other than application/cloudevents… means binary mode."""
    assert refused(message(TYPE), [("content-type", b"application/json")]).startswith(
        "headers: ce_specversion: Field required")


def test_what_the_sdk_writes_in_either_mode_is_read():
    event = CloudEvent({"id": "evt-sdk", "type": TYPE, "source": "/upstream/mall", "subject": "L-2026-000123",
                        "time": datetime(2026, 2, 7, 1, 30, 12, tzinfo=UTC), "datacontenttype": "application/json"},
                       DATA)
    for written in (sdk_kafka.to_binary_event(event), sdk_kafka.to_structured_event(event)):
        read = decode(written.value, list(written.headers.items()))
        assert (read.envelope.id, read.envelope.type, read.data.payment_id) == ("evt-sdk", TYPE, DATA["payment_id"])


def test_a_binary_dead_letter_keeps_the_attribute_headers_so_a_replay_is_whole():
    value, headers = binary(drop="ce_type")
    record = _Record(value, headers + [("x-trace", b"abc"), ("ce_partitionkey", b"L-1")])
    with pytest.raises(DecodeError) as caught:
        decode(record.value, record.headers)
    letter = DeadLetter(record, caught.value.reason, caught.value.detail).to_outbox("dlq", "overdue")
    kept = {name: text for name, text in letter.headers.items() if not name.startswith("dlq-")}
    assert kept == {name: text.decode() for name, text in headers}
    assert letter.headers["dlq-detail"] == "headers: ce_type: Field required" and letter.payload == value


class _Record:
    topic, partition, offset, key = "loan-events", 0, 7, b"L-2026-000123"

    def __init__(self, value: bytes | None, headers: list):
        self.value, self.headers = value, headers
