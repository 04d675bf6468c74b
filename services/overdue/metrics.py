"""Overdue detection's business metrics (bounded labels: bucket labels come from configuration)."""
from prometheus_client import Counter, Gauge, Histogram

TRANSITIONS = Counter(
    "overdue_transitions_total", "Delinquency events decided, by kind", ["kind"]
)
BUCKET_MOVES = Counter(
    "overdue_bucket_moves_total",
    "Loans moving between buckets (none = current), for roll and cure rates",
    ["from_bucket", "to_bucket"],
)
PAYMENTS_RECEIVED = Counter("overdue_payments_received_total", "Distinct payments recorded")
PAYMENTS_AMOUNT = Counter(
    "overdue_payments_received_minor_units_total", "Money received, in minor units", ["currency"]
)
PAYMENTS_REVERSED = Counter("overdue_payments_reversed_total", "Distinct payment reversals recorded")
LOANS_ORIGINATED = Counter("overdue_loans_originated_total", "Distinct loans taken into the book")
LOANS = Gauge("overdue_loans", "Loans in the book by status", ["status"])
OVERDUE_LOANS = Gauge("overdue_overdue_loans", "Overdue loans by bucket", ["bucket"])
OVERDUE_AMOUNT = Gauge(
    "overdue_overdue_amount_minor_units", "Overdue amount by bucket, in minor units", ["bucket"]
)
DISPUTES = Counter("overdue_disputes_total", "Disputes with the merchant recorded, by event (opened, resolved)",
                   ["event"])
PAYMENTS_HELD = Gauge("overdue_payments_held", "Payments waiting for their loan to arrive")
EOD_DURATION = Histogram(
    "overdue_end_of_day_evaluation_seconds",
    "Time to evaluate the whole book at a business day's end",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
LAST_CLOSED_DATE = Gauge(
    "overdue_last_closed_business_date_timestamp_seconds",
    "Midnight UTC of the last business date evaluated at its end",
)
