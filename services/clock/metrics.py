"""The clock's own metrics (its liveness is also visible downstream, in every service's
collections_clock_last_tick_received_timestamp_seconds)."""
from prometheus_client import Counter, Gauge

TICKS_PUBLISHED = Counter("clock_ticks_published_total", "Clock ticks published on the clock topic")
TICK_FAILURES = Counter("clock_tick_failures_total",
                        "Clock ticks that could not be published (tried again at the next interval)")
LAST_TICK_PUBLISHED = Gauge("clock_last_tick_published_timestamp_seconds",
                            "Wall-clock time of the last tick the broker acknowledged")
