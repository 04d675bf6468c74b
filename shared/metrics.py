"""Plumbing metrics every service exports (Prometheus naming: base units, _total, bounded labels)."""
from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "collections_events_consumed_total",
    "Events read from Kafka, by topic, CloudEvents type and outcome",
    ["topic", "type", "outcome"],  # outcome: processed | duplicate | dead_lettered
)
DEAD_LETTERS = Counter(
    "collections_dead_letters_total",
    "Messages sent to a dead-letter topic, by source topic and reason",
    ["topic", "reason"],
)
BATCH_DURATION = Histogram(
    "collections_handler_batch_duration_seconds",
    "Time to handle one consumed batch: decode, inbox, projection, outbox, commit",
    ["topic"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
BATCH_SIZE = Histogram(
    "collections_handler_batch_size_events",
    "Events in one consumed batch",
    buckets=(1, 10, 50, 100, 500, 1000, 2000, 5000, 10000),
)
QUARANTINED = Counter(
    "collections_quarantined_total",
    "Messages that could not even be dead-lettered, set aside by position and digest",
    ["topic", "reason"],
)
OUTBOX_SET_ASIDE = Counter(
    "collections_outbox_set_aside_total",
    "Outbox rows the broker refused for good (e.g. too large), set aside so the rows behind them go",
    ["topic"],
)
TRANSIENT_RETRIES = Counter(
    "collections_transient_retries_total",
    "Batches retried in place because a dependency was unavailable",
    ["dependency"],
)
LAST_EVENT_PROCESSED = Gauge(
    "collections_last_event_processed_timestamp_seconds",
    "Wall-clock time the last event was committed",
)
CONSUMER_LAG = Gauge(
    "collections_consumer_lag_messages",
    "Messages behind the end of each assigned partition",
    ["topic", "partition"],
)
OUTBOX_PUBLISHED = Counter(
    "collections_outbox_published_total", "Outbox rows published to Kafka", ["topic"]
)
OUTBOX_BACKLOG = Gauge("collections_outbox_backlog_messages", "Outbox rows not yet published")
OUTBOX_OLDEST_AGE = Gauge(
    "collections_outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished outbox row"
)
DB_POOL_CONNECTIONS = Gauge(
    "collections_db_pool_connections", "Database pool connections by state", ["state"]
)
DEPENDENCY_UP = Gauge(
    "collections_dependency_up", "1 when the dependency answered at the last check", ["dependency"]
)
CLOCK_NOW = Gauge(
    "collections_clock_now_timestamp_seconds", "The service's current time, from the last clock tick"
)
CLOCK_LAST_TICK = Gauge(
    "collections_clock_last_tick_received_timestamp_seconds",
    "Wall-clock time the last clock tick was handled (alert when it stops advancing)",
)
