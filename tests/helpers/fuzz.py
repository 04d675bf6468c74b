"""Seeded adversarial messages for a consumed topic, each with what the service must make of it.

`expected` is "applied" (a valid event: its id ends in the inbox once), "duplicate" (the same bytes
again: nothing more happens), or the dead-letter reasons the message may be refused with.
"""
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.events.clock import ClockTicked
from shared.events.codec import encode
from shared.events.registry import EVENT_TYPES
from tests.helpers.loan_events import SHANGHAI, originated, payment
from tests.helpers.outreach import became_overdue

APPLIED, DUPLICATE = "applied", "duplicate"
START = datetime(2026, 3, 1, 0, 0, 5, tzinfo=SHANGHAI)


@dataclass
class Message:
    key: bytes | None
    value: bytes
    expected: str | frozenset[str]
    headers: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def binary(self) -> bool:
        return any(name == "ce_specversion" for name, _ in self.headers)

    @property
    def event_id(self) -> str | None:
        if self.binary:
            return next((value.decode() for name, value in self.headers if name == "ce_id"), None)
        try:
            return json.loads(self.value)["id"]
        except Exception:  # noqa: BLE001 - most of these are not JSON on purpose
            return None


def _junk_key(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + b"\x00\x01\x7f"


def _envelope_of(value: bytes) -> dict:
    return json.loads(value)


class Adversary:
    """Builds the stream for one topic: valid events interleaved with every kind of bad input."""

    def __init__(self, seed: int, topic_kind: str):
        self.rng = random.Random(seed)
        self.kind = topic_kind  # "loan", "delinquency", "clock" or "other"
        self.valid: list[Message] = []
        self.ticks = 0

    def stream(self, count: int) -> list[Message]:
        makers = [self._random_bytes, self._control_key, self._deep, self._not_an_object, self._unknown_type]
        if self.kind != "other":  # topics the service reads but where no valid event is built here
            makers += [self._overlong, self._missing, self._out_of_range, self._far_date, self._reused_id,
                       self._duplicate]
        if self.kind in ("loan", "delinquency"):
            makers.append(self._binary)
        messages = [self._valid() for _ in range(3)] if self.kind != "other" else []
        while len(messages) < count:
            maker = self.rng.choice(makers) if self.rng.random() < 0.7 or self.kind == "other" else self._valid
            messages.append(maker())
        messages += [self._oversized(), self._near_limit()]  # two big ones per topic, not more
        if self.kind == "clock":
            messages.append(self._clock_jump())
        return messages

    # --- valid ------------------------------------------------------------------------------------

    def _valid(self) -> Message:
        n = len(self.valid)
        if self.kind == "clock":
            self.ticks += 1
            now = START + timedelta(hours=self.ticks)
            _, value = encode(ClockTicked(now=now), source="tests/fuzz", time=now, subject="clock")
            key = b"clock"
        elif self.kind == "loan":
            if n % 2 == 0:
                _, _, value = originated(f"FZ-L{n}", f"FZ-C{n}", [(date(2026, 4, 5), 5_000)], date(2026, 2, 1))
            else:
                _, _, value = payment(f"FZ-P{n}", f"FZ-L{n - 1}", 1_000, datetime(2026, 2, 2, 10, tzinfo=SHANGHAI))
            key = f"FZ-L{n}".encode()
        elif self.kind == "delinquency":
            _, value = became_overdue(f"FZ-L{n}", f"FZ-C{n}", f"fz-case-{n}")
            key = f"FZ-L{n}".encode()
        else:
            return self._unknown_type()
        if self.rng.random() < 0.3:
            key = _junk_key(self.rng)  # the key is the sender's business: a valid event is still applied
        message = Message(key, value, APPLIED, headers=[("x-junk", b"\x00\xff" * 8)])
        self.valid.append(message)
        return message

    def _duplicate(self) -> Message:
        if not self.valid:
            return self._valid()
        original = self.rng.choice(self.valid)
        return Message(original.key, original.value, DUPLICATE, headers=original.headers)

    def _binary(self) -> Message:
        """A valid event in CloudEvents binary mode; now and then without a required attribute header."""
        message = self._valid()
        document = _envelope_of(message.value)
        value = json.dumps(document.pop("data")).encode()
        headers = [(f"ce_{name}", str(text).encode()) for name, text in document.items() if name != "datacontenttype"]
        headers.append(("content-type", b"application/json; charset=utf-8"))
        self.valid.remove(message)
        if self.rng.random() < 0.3:
            missing = self.rng.choice(["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time"])
            headers = [(name, text) for name, text in headers if name != missing]
            return Message(message.key, value, frozenset({"contract_violation"}), headers=headers)
        binary = Message(message.key, value, APPLIED, headers=headers)
        self.valid.append(binary)
        return binary

    # --- refused ------------------------------------------------------------------------------------

    def _random_bytes(self) -> Message:
        value = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(0, 300)))
        return Message(_junk_key(self.rng), value, frozenset({"invalid_json"}))

    def _not_an_object(self) -> Message:
        return Message(None, self.rng.choice([b"[1,2]", b"null", b'"text"', b"42"]), frozenset({"invalid_json"}))

    def _control_key(self) -> Message:
        return Message(b"\x00" * 5 + _junk_key(self.rng), b"{\x00 not json", frozenset({"invalid_json"}))

    def _deep(self) -> Message:
        depth = self.rng.choice([40, 1_000, 100_000])
        return Message(b"deep", b"[" * depth + b"]" * self.rng.choice([0, depth]), frozenset({"too_deep"}))

    def _oversized(self) -> Message:
        return Message(b"big", b'{"pad":"' + b"x" * 1_000_100 + b'"}', frozenset({"too_large"}))

    def _near_limit(self) -> Message:
        return Message(b"near", b'{"pad":"' + b"x" * 990_000 + b'"}', frozenset({"contract_violation"}))

    def _valid_like(self) -> dict:
        template = self.valid[0].value if self.valid else self._valid().value
        document = _envelope_of(template)
        document["id"] = f"fz-{uuid.UUID(int=self.rng.getrandbits(128))}"
        return document

    def _broken(self, change) -> Message:
        document = self._valid_like()
        change(document)
        refusals = {"contract_violation", "clock_jump"} if self.kind == "clock" else {"contract_violation"}
        return Message(b"broken", json.dumps(document).encode(), frozenset(refusals))

    def _overlong(self) -> Message:
        def change(d: dict) -> None:
            key = next(k for k, v in d["data"].items() if isinstance(v, str))
            d["data"][key] = "x" * 401
        return self._broken(change)

    def _missing(self) -> Message:
        """A required field left out (an optional one, such as a snapshot's `disputed`, may be)."""
        def change(d: dict) -> None:
            fields = EVENT_TYPES[d["type"]].model_fields
            d["data"].pop(self.rng.choice(sorted(k for k in d["data"] if k in fields and fields[k].is_required())))
        return self._broken(change)

    def _out_of_range(self) -> Message:
        def change(d: dict) -> None:
            numbers = [k for k, v in d["data"].items() if isinstance(v, int) and not isinstance(v, bool)]
            times = [k for k, v in d["data"].items() if isinstance(v, str) and v[:2] == "20"]
            target = (numbers or times)[0]
            d["data"][target] = self.rng.choice([-5, 10 ** 20]) if numbers else "9999-12-31T00:00:00+00:00"
        return self._broken(change)

    def _far_date(self) -> Message:
        def change(d: dict) -> None:
            times = [k for k, v in d["data"].items() if isinstance(v, str) and v[:2] == "20"]
            if times:
                d["data"][times[0]] = "2100-01-01T00:00:00+00:00"
            else:
                d["data"]["schedule"][0]["due_date"] = "2100-01-01"
        return self._broken(change)

    def _unknown_type(self) -> Message:
        document = self._valid_like() if self.kind != "other" else {
            "specversion": "1.0", "id": f"fz-{self.rng.getrandbits(64)}", "source": "tests/fuzz",
            "time": "2026-03-01T00:00:00Z", "data": {}}
        document["type"] = self.rng.choice(["loan.teleported", "x" * 120, "\u0000evil", "delinquency.\n"])
        return Message(b"unknown", json.dumps(document).encode(), frozenset({"unknown_type", "contract_violation"}))

    def _reused_id(self) -> Message:
        if not self.valid or self.kind == "other":
            return self._random_bytes()
        if self.kind == "clock":
            return self._random_bytes()  # a tick's content is its time: other content, other id
        chosen = self.rng.choice([m for m in self.valid if not m.binary] or self.valid[:1])
        original = _envelope_of(chosen.value)
        data = original["data"]
        key = next(k for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool) and v > 1)
        data[key] -= 1
        # the original's key: the same partition, so the first content is the one applied
        return Message(chosen.key, json.dumps(original).encode(), frozenset({"id_conflict"}))

    def _clock_jump(self) -> Message:
        now = START + timedelta(hours=self.ticks, days=400)
        _, value = encode(ClockTicked(now=now), source="tests/fuzz", time=now, subject="clock")
        return Message(b"clock", value, frozenset({"clock_jump"}))
