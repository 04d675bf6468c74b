"""deploy/asyncapi/asyncapi.json against the official AsyncAPI 3.0.0 JSON schema, offline.

The schema (deploy/check/schemas/asyncapi-3.0.0.json, from npm @asyncapi/specs; see asyncapi.SOURCE.md)
is draft-07 and bundles every definition under its http://asyncapi.com/... $id; a `referencing`
Registry built from that one file resolves them all, and refuses anything else instead of fetching it.
Beyond the schema: every channel has Kafka bindings whose partitions are what the topics are created
with, every message a Kafka key, every consuming operation its consumer group.
"""
import asyncio
import copy
import json

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

from services.agreement.settings import AgreementSettings
from services.dispatch.settings import DispatchSettings
from services.outreach.settings import OutreachSettings
from services.overdue.settings import OverdueSettings
from shared.settings import CommonSettings
from simulator import publisher
from simulator.messages import Topics
from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.deploy

DOCUMENT = ROOT / "deploy" / "asyncapi" / "asyncapi.json"
SCHEMA = ROOT / "deploy" / "check" / "schemas" / "asyncapi-3.0.0.json"
SETTINGS = {"overdue": OverdueSettings, "outreach": OutreachSettings, "dispatch": DispatchSettings,
            "agreement": AgreementSettings}


def default(cls, field: str):
    return cls.model_fields[field].default


TOPIC_PARTITIONS = default(CommonSettings, "topic_partitions")
CLOCK_TOPIC = default(CommonSettings, "clock_topic")
LOAN_EVENTS_TOPIC = default(CommonSettings, "loan_events_topic")


def refuse(uri: str):
    raise NoSuchResource(ref=uri)  # never the network: everything the schema needs is in the bundle


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text())
    assert schema["$schema"].startswith("http://json-schema.org/draft-07/schema")
    assert schema["$id"] == "http://asyncapi.com/definitions/3.0.0/asyncapi.json"
    Draft7Validator.check_schema(schema)
    registry = Registry(retrieve=refuse).with_resource(schema["$id"], DRAFT7.create_resource(schema)).crawl()
    return Draft7Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(DOCUMENT.read_text())


def resolve(document: dict, ref: str) -> dict:
    node = document
    for step in ref.removeprefix("#/").split("/"):
        node = node[step]
    return node


def test_the_document_is_valid_asyncapi_3_0_0(validator, document):
    assert document["asyncapi"] == "3.0.0"
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors)


@pytest.mark.parametrize("mutate", [
    lambda d: d["channels"]["clock"]["bindings"]["kafka"].__setitem__("partitions", "one"),
    lambda d: d["components"]["messages"]["clock.ticked"]["bindings"]["kafka"].__setitem__("key", 5),
    lambda d: next(iter(d["operations"].values())).__setitem__("action", "publish"),  # AsyncAPI 2 wording
    lambda d: d["channels"]["clock"].__setitem__("address", 7),
    lambda d: d.__setitem__("servers", {"local": {"host": "kafka:9092"}}),  # protocol missing
], ids=["partitions", "key", "action", "address", "server"])
def test_the_validation_is_real_and_offline(validator, document, mutate):
    broken = copy.deepcopy(document)
    mutate(broken)
    assert not validator.is_valid(broken)


async def clock_service_partitions(monkeypatch) -> dict[str, int]:
    """What `python -m services.clock` creates, caught at its ensure_topics call (no Kafka needed)."""
    import services.clock.__main__ as clock

    created: dict[str, int] = {}

    class Stop(Exception):
        pass

    async def ensure_topics(bootstrap_servers, partitions_by_topic, attempts=30):
        created.update(partitions_by_topic)
        raise Stop

    monkeypatch.setattr(clock, "ensure_topics", ensure_topics)
    with pytest.raises(Stop):
        await clock.run(clock.ClockSettings.model_construct(), asyncio.Event())
    return created


async def test_every_channel_has_kafka_bindings_with_the_partitions_topics_are_created_with(document, monkeypatch):
    clock_service = await clock_service_partitions(monkeypatch)
    simulator = publisher.topic_partitions(Topics(LOAN_EVENTS_TOPIC, CLOCK_TOPIC))
    assert clock_service == {CLOCK_TOPIC: 1} and simulator[CLOCK_TOPIC] == 1
    for channel_id, channel in document["channels"].items():
        kafka = channel.get("bindings", {}).get("kafka")
        assert kafka, f"{channel_id} has no Kafka bindings"
        assert kafka["topic"] == channel["address"] and kafka["bindingVersion"] == "0.5.0"
        expected = clock_service[CLOCK_TOPIC] if channel["address"] == CLOCK_TOPIC else TOPIC_PARTITIONS
        assert kafka["partitions"] == expected, (
            f"{channel_id}: {kafka['partitions']} partitions, created with {expected}"
        )
        if channel["address"] in simulator:
            assert kafka["partitions"] == simulator[channel["address"]], f"the simulator creates {channel_id} otherwise"


def test_every_message_on_a_channel_has_a_kafka_key_schema(document):
    for channel_id, channel in document["channels"].items():
        assert channel["messages"], channel_id
        for name, reference in channel["messages"].items():
            message = resolve(document, reference["$ref"])
            key = message.get("bindings", {}).get("kafka", {}).get("key")
            assert key and key.get("type") == "string" and key.get("description"), f"{channel_id}/{name} has no key"


def test_every_consuming_operation_names_its_consumer_group(document):
    receiving = {name: op for name, op in document["operations"].items() if op["action"] == "receive"}
    assert {name.split(".")[0] for name in receiving} == set(SETTINGS)
    for name, operation in receiving.items():
        group = default(SETTINGS[name.split(".")[0]], "consumer_group")
        assert operation["bindings"]["kafka"]["groupId"] == {"type": "string", "enum": [group]}, name
