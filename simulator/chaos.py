"""The trouble real upstream systems cause: duplicates, out-of-order delivery, malformed messages."""
import json
import random
from dataclasses import dataclass, replace

from shared.events.codec import CONTRACT_VIOLATION, INVALID_JSON, UNKNOWN_TYPE
from simulator.messages import DUPLICATE, MALFORMED, Message, event_id

MALFORMED_REASONS = (INVALID_JSON, CONTRACT_VIOLATION, UNKNOWN_TYPE)
UNKNOWN_TYPES = ("loan.teleported", "loan.payment_recieved", "loan.v2.originated")


@dataclass(frozen=True)
class ChaosRates:
    duplicate_rate: float = 0.01
    """per valid loan-topic message: the exact same bytes sent again, right after or later that day"""
    out_of_order_rate: float = 0.005
    """per loan: its first payment falls on the origination day and is sent before the origination"""
    malformed_rate: float = 0.002
    """per valid loan-topic message: one extra malformed message (kinds in equal shares)"""


def payments_first(messages: list[Message], early_payment_ids: set[str]) -> list[Message]:
    """Move each marked payment to just before its loan's origination message (same day, same key)."""
    ordered = [message for message in messages if message.event_id not in early_payment_ids]
    for early in (message for message in messages if message.event_id in early_payment_ids):
        origination = next(
            (i for i, m in enumerate(ordered) if m.key == early.key and m.event_type == "loan.originated"), None,
        )
        if origination is None:
            raise ValueError("an out-of-order payment must share a day with its origination")
        ordered.insert(origination, early)
    return ordered


def add_duplicates_and_malformed(
    messages: list[Message], rates: ChaosRates, rng: random.Random, seed: int, day_tag: str,
) -> list[Message]:
    inserts: dict[int, list[Message]] = {}
    count = len(messages)
    for index, message in enumerate(messages):
        if rng.random() < rates.duplicate_rate:
            at = index + 1 if rng.random() < 0.5 else rng.randint(index + 1, count)
            inserts.setdefault(at, []).append(replace(message, kind=DUPLICATE))
        if rng.random() < rates.malformed_rate:
            natural_key = f"malformed/{day_tag}/{index}"
            inserts.setdefault(rng.randint(index, count), []).append(malformed_from(message, rng, seed, natural_key))
    result: list[Message] = []
    for index in range(count + 1):
        result.extend(inserts.get(index, ()))
        if index < count:
            result.append(messages[index])
    return result


def malformed_from(message: Message, rng: random.Random, seed: int, natural_key: str) -> Message:
    """A broken variant of a valid message, under a fresh id, tagged with the reason the codec must give."""
    reason = rng.choice(MALFORMED_REASONS)
    if reason == INVALID_JSON:
        value = rng.choice((
            lambda: message.value[: rng.randint(1, len(message.value) - 1)],
            lambda: b"\x80\x81 not json at all",
            lambda: b'["an array", "not an object"]',
        ))()
        return Message(message.topic, message.key, value, MALFORMED, reason=reason)
    document = json.loads(message.value)
    document["id"] = event_id(seed, natural_key)
    if reason == UNKNOWN_TYPE:
        document["type"] = rng.choice(UNKNOWN_TYPES)
    else:
        _break_contract(document, rng)
    value = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Message(message.topic, message.key, value, MALFORMED, event_id=document["id"],
                   event_type=document["type"], reason=reason)


def _break_contract(document: dict, rng: random.Random) -> None:
    data = document["data"]
    ways = ["missing_data_field", "missing_envelope_time"] + (["negative_amount"] if "amount" in data else [])
    way = rng.choice(ways)
    if way == "negative_amount":
        data["amount"] = -data["amount"]
    elif way == "missing_envelope_time":
        del document["time"]
    else:
        del data["loan_id" if "loan_id" in data else "customer_id"]
