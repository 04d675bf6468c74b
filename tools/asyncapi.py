"""python -m tools.asyncapi [--check]: the AsyncAPI 3.0 document, generated from the code.

Message schemas come from the pydantic models of shared/events through the registry; topic
names, partitions, consumer groups and who reads or writes each topic from every service's own
wiring (create_app on default settings, which does no I/O); the clock topic's single partition
from its creators (services/clock, simulator/publisher.py); dead-letter headers from
shared/kafka/records.py. Every channel carries Kafka bindings (topic, partitions) and every
message its key. Nobody edits the output: `--check` exits 1 when
deploy/asyncapi/asyncapi.json is not what the code says.
"""
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic.json_schema import models_json_schema

from services.agreement.app import create_app as agreement_app
from services.agreement.settings import AgreementSettings
from services.dispatch.app import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.outreach.app import create_app as outreach_app
from services.outreach.settings import OutreachSettings
from services.overdue.app import create_app as overdue_app
from services.overdue.settings import OverdueSettings
from shared.events.codec import CONTRACT_VIOLATION, INVALID_JSON, UNKNOWN_TYPE
from shared.events.envelope import Envelope
from shared.events.kafka_binding import ATTRIBUTES, CONTENT_TYPE, STRUCTURED_JSON, header_name
from shared.events.registry import EVENT_TYPES
from shared.kafka.published import MESSAGE_ID
from shared.kafka.records import HANDLER_ERROR, DeadLetter
from shared.runtime import ServiceSpec, dead_letter_topic
from shared.settings import CommonSettings
from simulator.publisher import CLOCK_PARTITIONS

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "deploy" / "asyncapi" / "asyncapi.json"
SERVICES = [(overdue_app, OverdueSettings), (outreach_app, OutreachSettings), (dispatch_app, DispatchSettings),
            (agreement_app, AgreementSettings)]
BINDING = "0.5.0"


@dataclass(frozen=True)
class Topic:
    channel_id: str
    setting: str  # the CommonSettings field naming the topic; its default is the address
    families: tuple[str, ...]  # event type prefixes that travel on it
    description: str
    partitions: int | None = None  # fixed by whoever creates the topic; None: the services' TOPIC_PARTITIONS


TOPICS = [
    Topic("loanEvents", "loan_events_topic", ("loan.", "customer."),
          "Inbound contract: what the upstream loan systems publish. Each message is a CloudEvents 1.0 event in"
          " structured mode (the value is the JSON event below; content-type application/cloudevents+json or"
          " none) or in binary mode (the value is its data, a JSON object; the attributes are ce_specversion,"
          " ce_id, ce_type, ce_source, ce_time, ce_subject headers; content-type is datacontenttype); consumers"
          " ignore unknown fields. See docs/inbound-contract.md."),
    Topic("clock", "clock_topic", ("clock.",),
          "Time as an event: services read the time from here, never the wall. One partition, one writer"
          " (services.clock or the simulator), so ticks are totally ordered.", partitions=CLOCK_PARTITIONS),
    Topic("delinquencyEvents", "delinquency_events_topic", ("delinquency.",),
          "Overdue detection's outbound events, published only by its outbox relay; per-loan order holds."),
    Topic("outreachEvents", "outreach_events_topic", ("outreach.",),
          "Outreach's outbound events: every contact decision with its rule and policy version, outcomes,"
          " promises, visit requests at confirmed times, legal referrals, complaints; keyed by customer."),
    Topic("dispatchEvents", "dispatch_events_topic", ("dispatch.",),
          "Visit dispatch's outbound events: a visit from scheduled to completed; keyed by customer."),
    Topic("agreementEvents", "agreement_events_topic", ("agreement.",),
          "Agreement tracking's outbound events: proposed, approved, signed, instalments paid or missed,"
          " broken, fulfilled, ended; keyed by loan."),
]
NOT_ON_A_TOPIC_YET: tuple[str, ...] = ()  # outbound types listed as messages before their service names a topic
KAFKA_KEYS = {"loan.": "the loan id", "customer.": "the customer id", "clock.": "the constant 'clock'",
              "delinquency.": "the loan id", "outreach.": "the customer id", "dispatch.": "the customer id",
              "agreement.": "the loan id"}
RELAY_HEADERS = {MESSAGE_ID: "the event id (the relay reads it back after a crash; shared/kafka/relay.py)",
                 CONTENT_TYPE: f"{STRUCTURED_JSON}: CloudEvents structured mode, the value is the whole event"}
DLQ_REASONS = [INVALID_JSON, CONTRACT_VIOLATION, UNKNOWN_TYPE, HANDLER_ERROR]


def build() -> dict:
    specs = [create_app(settings.model_construct()).spec for create_app, settings in SERVICES]  # defaults, no env
    produced = {topic for spec in specs for topic in spec.produced_topics}
    outbound = {name for topic in TOPICS if _address(topic) in produced for name in _names(topic.families)}
    schemas, messages = _schemas_and_messages(outbound | set(_names(NOT_ON_A_TOPIC_YET)))
    messages["dead_letter"] = _dead_letter_message()
    channels, operations = {}, {}
    for topic in TOPICS:
        channels[topic.channel_id] = _channel(_address(topic), _names(topic.families), specs, topic.description,
                                              topic.partitions)
        for spec in specs:
            _wire(spec, topic, channels, operations)
    placed = {name for channel in channels.values() for name in channel["messages"]}
    if unplaced := [name for name in EVENT_TYPES if name not in placed | set(_names(NOT_ON_A_TOPIC_YET))]:
        raise SystemExit(f"event types on no channel: {unplaced}; give them a topic in tools/asyncapi.py TOPICS")
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Collections platform events", "version": _version(), "description": __doc__.strip()},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def _wire(spec: ServiceSpec, topic: Topic, channels: dict, operations: dict) -> None:
    address, names = _address(topic), _names(topic.families)
    if address in spec.produced_topics:
        operations[f"{spec.name}.send.{topic.channel_id}"] = _operation("send", topic.channel_id, names)
    if address in spec.consumed_topics:
        operations[f"{spec.name}.receive.{topic.channel_id}"] = _operation("receive", topic.channel_id, names,
                                                                           group=spec.consumer_group)
        dlq = f"{spec.name}.{topic.channel_id}.dlq"
        channels[dlq] = _channel(dead_letter_topic(spec.name, address), ["dead_letter"], [spec],
                                 f"What {spec.name} can never process from {address}, bytes unchanged.")
        operations[f"{spec.name}.deadLetter.{topic.channel_id}"] = _operation("send", dlq, ["dead_letter"])


def _schemas_and_messages(outbound: set[str]) -> tuple[dict, dict]:
    """Models we consume in validation mode (what we accept); models we produce as they are serialised."""
    modes = {name: "serialization" if name in outbound else "validation" for name in EVENT_TYPES}
    pairs = [(Envelope, "validation")] + [(model, modes[name]) for name, model in EVENT_TYPES.items()]
    refs, definitions = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    messages = {name: _event_message(name, model, refs[(model, modes[name])], name in outbound)
                for name, model in EVENT_TYPES.items()}
    schemas = definitions["$defs"]
    schemas["CloudEventsEnvelope"] = schemas.pop(refs[(Envelope, "validation")]["$ref"].rsplit("/", 1)[-1])
    return schemas, messages


def _event_message(name: str, model, data_schema: dict, outbound: bool) -> dict:
    message = {
        "name": name, "title": model.__name__, "summary": (model.__doc__ or name).strip().splitlines()[0],
        "contentType": "application/json",
        "payload": {"allOf": [{"$ref": "#/components/schemas/CloudEventsEnvelope"}, {
            "type": "object", "required": ["type", "data"],
            "properties": {"type": {"const": name}, "data": data_schema}}]},
    }
    if outbound:  # what the outbox relay writes beside the value
        message["headers"] = {"type": "object", "properties": {h: {"type": "string", "description": text}
                                                               for h, text in RELAY_HEADERS.items()}}
    key = next((text for family, text in KAFKA_KEYS.items() if name.startswith(family)), None)
    if key:
        message["bindings"] = {"kafka": {"key": {"type": "string", "description": key}, "bindingVersion": BINDING}}
    return message


def _dead_letter_message() -> dict:
    sample = DeadLetter(_Record(), INVALID_JSON, "detail", event_type="type").to_outbox("topic", "service")
    headers = {MESSAGE_ID: {"type": "string", "description": "the dead letter's own id"}}
    headers |= {name: {"type": "string"} for name in sample.headers}
    optional = {header_name(a): {"type": "string", "description": "the original's, when it had it"}
                for a in ATTRIBUTES}
    headers["dlq-reason"]["enum"] = DLQ_REASONS
    return {
        "name": "dead_letter", "title": "DeadLetter",
        "summary": "A message that can never be processed; why is in the headers, which never carry personal data.",
        "contentType": "application/octet-stream",
        "headers": {"type": "object", "required": [h for h in headers if h != "dlq-event-type"],
                    "properties": headers | optional},
        "payload": {"description": "the original message value, byte for byte (possibly not JSON at all)"},
        "bindings": {"kafka": {"key": {"type": "string", "description": "the original key"},
                               "bindingVersion": BINDING}},
    }


class _Record:
    topic, partition, offset, key, value, headers = "topic", 0, 0, None, b"", ()


def _channel(address: str, message_names: list[str], specs: list[ServiceSpec], description: str,
             partitions: int | None = None) -> dict:
    partitions = partitions or max(spec.topic_partitions for spec in specs)
    return {"address": address, "description": description,
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in message_names},
            "bindings": {"kafka": {"topic": address, "partitions": partitions, "bindingVersion": BINDING}}}


def _operation(action: str, channel_id: str, message_names: list[str], group: str | None = None) -> dict:
    operation = {"action": action, "channel": {"$ref": f"#/channels/{channel_id}"},
                 "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in message_names]}
    if group:  # the consumer group this service reads with
        operation["bindings"] = {"kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": BINDING}}
    return operation


def _address(topic: Topic) -> str:
    return CommonSettings.model_fields[topic.setting].default


def _names(families: tuple[str, ...]) -> list[str]:
    return [name for name in EVENT_TYPES if name.startswith(families)]


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str], output: Path = OUTPUT) -> int:
    text, shown = render(), output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    if "--check" in argv:
        if not output.exists() or output.read_text() != text:
            print(f"{shown} is stale: run `python -m tools.asyncapi`", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
