"""The sandbox provider of `make run`: accepts everything and plays the gateway's or dialer's callback.

The outcome is a pure function of the attempt id (`shared.stable_pick`, never a global random state),
so a run replays identically and a resent attempt reports the same outcome again. What a report does
is injected (services/outreach/sandbox.py: the outcome use case, and the borrower who answers).
"""
import logging
from collections.abc import Awaitable, Callable

from services.outreach.channels.base import OutboundMessage, SendResult
from shared.stable_pick import pick_weighted

log = logging.getLogger(__name__)
Report = Callable[[str, str], Awaitable[None]]

# (outcome, percent); each table sums to 100.
SMS_OUTCOMES = (("delivered", 95), ("failed", 5))
CALL_OUTCOMES = (("reached", 30), ("no_answer", 40), ("promise_to_pay", 15), ("refused", 5),
                 ("wrong_number", 5), ("failed", 5))


def sandbox_outcome(attempt_id: str, channel: str) -> str:
    """What a real gateway (SMS) or dialer (call) would later report for this attempt."""
    return pick_weighted(attempt_id, SMS_OUTCOMES if channel == "sms" else CALL_OUTCOMES)


class SandboxProvider:
    def __init__(self, report: Report) -> None:
        self.report = report

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def send(self, message: OutboundMessage) -> SendResult:
        outcome = sandbox_outcome(message.attempt_id, message.channel)
        try:
            await self.report(message.attempt_id, outcome)
        except Exception as error:  # noqa: BLE001 - never raise: the dispatcher retries, the outcome is the same
            log.warning("sandbox outcome not recorded", extra={"attempt_id": message.attempt_id,
                                                                "error": type(error).__name__})
            return SendResult("retry", f"report failed: {type(error).__name__}")
        return SendResult("accepted", f"sandbox {outcome}")
