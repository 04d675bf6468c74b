"""The sender's metrics (bounded labels only: channel, result, reason; never a number or a message).

Their names keep the `outreach_dispatch_` prefix the dashboards and alerts query."""
from prometheus_client import Counter, Histogram

PROVIDER_CALLS = Counter(
    "outreach_dispatch_attempts_total",
    "Contact attempts handed to the provider, by channel and result",
    ["channel", "result"],  # result: accepted | retry | rejected
)
PROVIDER_LATENCY = Histogram(
    "outreach_dispatch_provider_latency_seconds",
    "Time the provider took to answer one attempt",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GIVEN_UP = Counter(
    "outreach_dispatch_failed_total",
    "Attempts given up and reported as failed, by channel and reason",
    ["channel", "reason"],  # reason: rejected | retries_exhausted
)
FAILURE_REPORTS_LOST = Counter(
    "outreach_dispatch_failure_reports_lost_total",
    "Failed attempts whose 'failed' outcome could not be recorded (see the logs for attempt ids)",
)
