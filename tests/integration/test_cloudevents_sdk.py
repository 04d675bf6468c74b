"""Contracts both ways, checked with the official CloudEvents SDK (its Kafka binding, mode detected
automatically) on the real broker and a real service (overdue detection).

Out: every record the outbox relay publishes is read by the SDK as a structured event whose id, type,
source, specversion and time are the envelope's. In: an upstream may publish in binary mode (here
written by the SDK itself) or with a parameterised datacontenttype, and the service applies it; a
binary event missing ce_id or ce_type is dead-lettered with the reason, whole, and the rest goes on.
"""
import json
from datetime import date, datetime

from cloudevents.core.bindings import kafka as sdk_kafka
from cloudevents.core.v1.event import CloudEvent

from shared.events.codec import decode
from shared.kafka.published import published_event_ids
from tests.helpers.kafka import header, produce
from tests.helpers.loan_events import local, originated, payment, tick_closing
from tests.helpers.waiting import eventually

SCHEDULE = [(date(2026, 2, 5), 10_000), (date(2026, 3, 5), 10_000)]


def as_binary(value: bytes, content_type: str = "application/json") -> tuple[bytes, list[tuple[str, bytes]]]:
    """A structured event (the tests' builders) as the SDK writes it in binary mode: (value, headers)."""
    attributes = json.loads(value)
    data = attributes.pop("data")
    attributes |= {"time": datetime.fromisoformat(attributes["time"]), "datacontenttype": content_type}
    message = sdk_kafka.to_binary_event(CloudEvent(attributes, data))
    return message.value, list(message.headers.items())


async def send(overdue, key: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    await produce(overdue.stack.bootstrap, [(overdue.settings.loan_events_topic, key, value, headers)])


async def test_every_record_the_relay_publishes_is_read_by_the_sdk_with_the_envelope_attributes(overdue):
    await overdue.send(originated("L1", "C1", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 6)),
                       payment("P1", "L1", 10_000, local(date(2026, 2, 7))), tick_closing(date(2026, 2, 7)),
                       payment("P2", "L1", 10_000, local(date(2026, 2, 8))), tick_closing(date(2026, 2, 8)))
    await overdue.wait_emitted("delinquency.loan_settled")
    await overdue.all_published()
    records = await overdue.raw_emitted()
    assert len(records) >= 3

    for record in records:
        event = sdk_kafka.from_kafka_event(sdk_kafka.KafkaMessage(dict(record.headers), record.key, record.value))
        envelope = decode(record.value, record.headers).envelope
        assert (event.get_id(), event.get_type(), event.get_source(), event.get_specversion(), event.get_time()) == (
            envelope.id, envelope.type, envelope.source, envelope.specversion, envelope.time)
        assert event.get_data() == envelope.data and event.get_subject() == envelope.subject == record.key.decode()
        assert header(record, "content-type") == "application/cloudevents+json"
        assert not [name for name, _ in record.headers if name.lower().startswith("ce_")]
    assert {e.type.rsplit(".", 1)[-1] for e in [decode(r.value).envelope for r in records]} >= {
        "loan_became_overdue", "loan_cured", "loan_settled"}

    ids = {decode(r.value).envelope.id for r in records}  # what read-back finds after a crash: every one
    assert ids <= await published_event_ids(overdue.stack.bootstrap, [overdue.settings.delinquency_events_topic],
                                             depth=100)


async def test_binary_and_parameterised_content_type_events_are_applied(overdue):
    _, _, loan = originated("L2", "C2", SCHEDULE, date(2026, 1, 5))
    await send(overdue, "L2", *as_binary(loan, "application/json; charset=utf-8"))
    _, _, first = payment("P3", "L2", 4_000, local(date(2026, 2, 1)))
    await send(overdue, "L2", *as_binary(first))
    _, _, second = payment("P4", "L2", 1_000, local(date(2026, 2, 2)))
    with_parameters = json.loads(second) | {"datacontenttype": "application/json; charset=UTF-8"}
    await send(overdue, "L2", json.dumps(with_parameters).encode(),
               [("content-type", b"application/cloudevents+json; charset=utf-8")])
    await overdue.send(tick_closing(date(2026, 2, 6)))

    became = await overdue.wait_emitted("delinquency.loan_became_overdue", loan_id="L2")
    assert became[0]["data"]["overdue_amount"] == 5_000  # 10,000 due, 4,000 + 1,000 paid
    rows = await overdue.query("SELECT payment_id FROM payments WHERE loan_id = 'L2' ORDER BY payment_id")
    assert [r["payment_id"] for r in rows] == ["P3", "P4"]
    assert await overdue.dead_letters() == []


async def test_a_binary_event_missing_ce_id_or_ce_type_is_dead_lettered_whole_with_the_reason(overdue):
    _, _, loan = originated("L3", "C3", SCHEDULE, date(2026, 1, 5))
    value, headers = as_binary(loan)
    for missing in ("ce_id", "ce_type"):
        await send(overdue, "L3", value, [(name, text) for name, text in headers if name != missing])
    await overdue.send(originated("L4", "C4", SCHEDULE, date(2026, 1, 5)), tick_closing(date(2026, 2, 6)))

    async def two_letters():
        letters = await overdue.dead_letters()
        return letters if len(letters) >= 2 else None

    letters = sorted(await eventually(two_letters, what="two dead letters"), key=lambda r: header(r, "dlq-detail"))
    assert [(header(r, "dlq-reason"), header(r, "dlq-detail")) for r in letters] == [
        ("contract_violation", "headers: ce_id: Field required"),
        ("contract_violation", "headers: ce_type: Field required")]
    for letter, missing in zip(letters, ("ce_id", "ce_type"), strict=True):
        kept = [(name, text) for name, text in letter.headers if not name.startswith("dlq-") and name != "message-id"]
        assert sorted(kept) == sorted((n, t) for n, t in headers if n != missing)  # a replay sends it whole
        assert letter.value == value and letter.key == b"L3"
    dead_letter_topic = letters[0].topic
    found = await published_event_ids(overdue.stack.bootstrap, [dead_letter_topic], depth=100)
    assert found == {header(r, "message-id") for r in letters}  # never the original's ce_id

    await overdue.wait_emitted("delinquency.loan_became_overdue", loan_id="L4")  # the partition went on
    assert not await overdue.query("SELECT 1 FROM loans WHERE loan_id = 'L3'")
