-- The service's time, as told by the clock topic (never the wall clock).
CREATE TABLE IF NOT EXISTS service_clock (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    now              timestamptz NOT NULL,
    last_closed_date date
);
