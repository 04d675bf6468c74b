"""The sandbox provider's outcomes (pure, deterministic, realistic shares) and the dispatch backoff."""
from collections import Counter
from datetime import timedelta

import pytest

from services.outreach.channels.base import OutboundMessage
from services.outreach.channels.sandbox import CALL_OUTCOMES, SMS_OUTCOMES, SandboxProvider, sandbox_outcome
from services.outreach.channels.sender import retry_delay

IDS = [f"attempt-{n}" for n in range(10_000)]


def shares(channel: str) -> dict[str, float]:
    counts = Counter(sandbox_outcome(attempt_id, channel) for attempt_id in IDS)
    return {outcome: count / len(IDS) for outcome, count in counts.items()}


@pytest.mark.parametrize(("channel", "table"), [("sms", SMS_OUTCOMES), ("call", CALL_OUTCOMES)])
def test_outcome_shares_are_close_to_the_configured_ones(channel, table):
    assert sum(percent for _, percent in table) == 100
    observed = shares(channel)
    assert set(observed) == {outcome for outcome, _ in table}
    for outcome, percent in table:
        assert observed[outcome] == pytest.approx(percent / 100, abs=0.02), outcome


def test_the_outcome_depends_only_on_the_attempt_id_and_channel():
    first = [sandbox_outcome(attempt_id, "call") for attempt_id in IDS[:500]]
    assert [sandbox_outcome(attempt_id, "call") for attempt_id in IDS[:500]] == first
    assert sandbox_outcome("a-1", "sms") in {"delivered", "failed"}
    assert len(set(first)) > 1  # not a constant


def test_sms_outcomes_are_only_delivery_receipts():
    assert {sandbox_outcome(attempt_id, "sms") for attempt_id in IDS} == {"delivered", "failed"}


async def test_the_sandbox_accepts_and_reports_the_outcome_through_the_injected_callable():
    reported = []

    async def report(attempt_id: str, outcome: str) -> None:
        reported.append((attempt_id, outcome))

    result = await SandboxProvider(report).send(OutboundMessage("a-7", "call", "+15550000007", None))
    assert result.status == "accepted"
    assert reported == [("a-7", sandbox_outcome("a-7", "call"))]
    assert "+1555" not in result.detail


async def test_a_report_that_fails_is_a_retry_not_an_exception():
    async def report(attempt_id: str, outcome: str) -> None:
        raise ConnectionError("database down")

    result = await SandboxProvider(report).send(OutboundMessage("a-8", "sms", "+15550000008", "hello"))
    assert result.status == "retry"


def test_retries_back_off_from_30_seconds_doubling_up_to_15_minutes():
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(minutes=8), timedelta(minutes=15), timedelta(minutes=15),
    ]
