"""The committed AsyncAPI document is exactly what the code generates, and it covers every contract."""
import json

import pytest

from shared.events.codec import CONTRACT_VIOLATION, INVALID_JSON, UNKNOWN_TYPE
from shared.events.registry import EVENT_TYPES
from shared.kafka.records import HANDLER_ERROR
from tools import asyncapi


@pytest.fixture(scope="module")
def document() -> dict:
    return asyncapi.build()


def resolve(document: dict, ref: str) -> dict:
    node = document
    for step in ref.removeprefix("#/").split("/"):
        node = node[step]
    return node


def test_the_committed_document_is_the_generated_one():
    committed = asyncapi.OUTPUT.read_text()
    assert committed == asyncapi.render(), "deploy/asyncapi/asyncapi.json is stale: run `python -m tools.asyncapi`"


def test_check_fails_on_a_hand_edited_document(tmp_path):
    edited = tmp_path / "asyncapi.json"
    edited.write_text(asyncapi.render().replace('"loan-events"', '"loan_events"'))
    assert asyncapi.main(["--check"], output=edited) == 1
    assert asyncapi.main([], output=edited) == 0  # regenerating repairs it
    assert asyncapi.main(["--check"], output=edited) == 0


def test_every_registry_type_is_a_message_with_its_model_as_data(document):
    messages = document["components"]["messages"]
    for name, model in EVENT_TYPES.items():
        envelope, specific = messages[name]["payload"]["allOf"]
        assert resolve(document, envelope["$ref"])["title"] == "Envelope"
        assert specific["properties"]["type"] == {"const": name}
        data = resolve(document, specific["properties"]["data"]["$ref"])
        assert set(data["properties"]) == set(model.model_fields), name


def test_the_platform_topics_carry_their_families(document):
    channels = document["channels"]
    assert {c["address"]: sorted(c["messages"]) for c in channels.values() if not c["address"].endswith(".dlq")} == {
        "loan-events": sorted(n for n in EVENT_TYPES if n.startswith(("loan.", "customer."))),
        "clock": ["clock.ticked"],
        "delinquency-events": sorted(n for n in EVENT_TYPES if n.startswith("delinquency.")),
        "outreach-events": sorted(n for n in EVENT_TYPES if n.startswith("outreach.")),
        "dispatch-events": sorted(n for n in EVENT_TYPES if n.startswith("dispatch.")),
        "agreement-events": sorted(n for n in EVENT_TYPES if n.startswith("agreement.")),
    }


def test_each_consumed_topic_has_a_dead_letter_topic_with_its_reasons(document):
    dead_letter_topics = {c["address"] for c in document["channels"].values() if c["address"].endswith(".dlq")}
    consumed = {"overdue": ("loan-events", "clock"),
                "outreach": ("loan-events", "delinquency-events", "dispatch-events", "agreement-events", "clock"),
                "dispatch": ("outreach-events", "delinquency-events", "agreement-events", "clock"),
                "agreement": ("loan-events", "delinquency-events", "dispatch-events", "clock")}
    assert dead_letter_topics == {f"{service}.{topic}.dlq" for service, topics in consumed.items() for topic in topics}
    headers = document["components"]["messages"]["dead_letter"]["headers"]
    assert set(headers["properties"]["dlq-reason"]["enum"]) == {INVALID_JSON, CONTRACT_VIOLATION, UNKNOWN_TYPE,
                                                                HANDLER_ERROR}
    assert {"dlq-reason", "dlq-detail", "dlq-source-topic", "dlq-source-offset"} <= set(headers["required"])


def test_operations_say_who_reads_and_writes_and_every_reference_resolves(document):
    actions = {(op["action"], resolve(document, op["channel"]["$ref"])["address"])
               for op in document["operations"].values()}
    assert {("receive", "loan-events"), ("receive", "clock"), ("send", "delinquency-events"),
            ("send", "overdue.loan-events.dlq")} <= actions
    for operation in document["operations"].values():
        for message in operation["messages"]:
            assert message["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")
            resolve(document, resolve(document, message["$ref"])["$ref"])
    assert all("$defs" not in json.dumps(schema) for schema in document["components"]["schemas"].values())
