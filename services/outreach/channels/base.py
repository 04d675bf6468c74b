"""The provider interface every SMS gateway and dialer adapter implements.

A provider answers with a SendResult and never raises for I/O problems:
  accepted  the gateway took the message (2xx, or 409: it had already accepted this attempt id);
  retry     worth trying again later (timeout, connection error, 5xx, 408, 425, 429);
  rejected  permanent (a 4xx such as an invalid number): trying again cannot help.
The attempt id travels as the idempotency key, so a retry after a lost answer never sends twice.
"""
from dataclasses import dataclass
from typing import Literal, Protocol

ChannelName = Literal["sms", "call"]
SendStatus = Literal["accepted", "retry", "rejected"]


@dataclass(frozen=True)
class OutboundMessage:
    attempt_id: str
    channel: ChannelName
    destination: str
    text: str | None  # None for calls: the dialer's agent follows the script of the attempt


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    detail: str  # for logs and operators: a status code or an error type, never the message or the number


class Provider(Protocol):
    async def start(self) -> None: ...

    async def send(self, message: OutboundMessage) -> SendResult: ...

    async def close(self) -> None: ...
