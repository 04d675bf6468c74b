"""An HTTP webhook provider for real SMS gateways and dialers.

POST {base_url}/sms or {base_url}/calls with JSON {attempt_id, channel, destination, text},
the attempt id in `Idempotency-Key` (a correct gateway answers a replay with 2xx or 409 and
does not send again) and an optional bearer token. One ClientSession is kept for the process.
"""
from collections.abc import Callable

import aiohttp

from services.outreach.channels.base import OutboundMessage, SendResult, SendStatus

PATHS = {"sms": "sms", "call": "calls"}
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})  # timeout, too early, rate limited


def classify(http_status: int) -> SendStatus:
    if 200 <= http_status < 300 or http_status == 409:
        return "accepted"
    if 400 <= http_status < 500 and http_status not in RETRYABLE_CLIENT_ERRORS:
        return "rejected"
    return "retry"  # 5xx, throttling, and anything unexpected (redirects): bounded by the dispatcher's max tries


class WebhookProvider:
    def __init__(self, base_url: str, timeout_seconds: float, token: str | None = None,
                 session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession):
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.token = token
        self._session_factory = session_factory
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = self._session_factory()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, message: OutboundMessage) -> SendResult:
        if self._session is None:
            raise RuntimeError("WebhookProvider.start() was not called")
        headers = {"Idempotency-Key": message.attempt_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"attempt_id": message.attempt_id, "channel": message.channel,
                "destination": message.destination, "text": message.text}
        try:
            async with self._session.post(f"{self.base_url}/{PATHS[message.channel]}", json=body, headers=headers,
                                          timeout=self.timeout, allow_redirects=False) as response:
                status = response.status
        except TimeoutError:
            return SendResult("retry", "timeout")
        except (aiohttp.ClientError, OSError) as error:
            return SendResult("retry", f"connection error: {type(error).__name__}")
        return SendResult(classify(status), f"http {status}")
