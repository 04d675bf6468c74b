-- Visit dispatch's projection: the roster and the visits.
CREATE TABLE collectors (
    collector_id    text PRIMARY KEY,
    name            text NOT NULL,
    territory       text[] NOT NULL,
    polygon         jsonb,
    certified_until date,
    skills          text[] NOT NULL DEFAULT '{}',
    daily_capacity  int NOT NULL,
    hours           jsonb NOT NULL,
    home_lat        double precision NOT NULL,
    home_lon        double precision NOT NULL,
    time_zone       text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE visits (
    visit_id            text PRIMARY KEY,
    visit_request_id    text NOT NULL UNIQUE,
    case_id             text NOT NULL,
    loan_id             text NOT NULL,
    customer_id         text NOT NULL,
    area                text NOT NULL,
    lat                 double precision,
    lon                 double precision,
    address             jsonb NOT NULL,
    overdue_amount      bigint NOT NULL,
    currency            text NOT NULL,
    time_zone           text NOT NULL,
    window_start        timestamptz NOT NULL,
    window_end          timestamptz NOT NULL,
    status              text NOT NULL CHECK (status IN ('assigned', 'unassignable', 'checked_in', 'completed',
                                                        'cancelled')),
    collector_ids       text[] NOT NULL DEFAULT '{}',
    planned_start       timestamptz,
    assignments         int NOT NULL DEFAULT 0,  -- how many times a team was chosen: event ids
    no_shows            int NOT NULL DEFAULT 0,
    reason              text,
    checked_in_at       timestamptz,
    checked_in_by       text,
    completed_at        timestamptz,
    outcome             text,
    terms               jsonb,
    evidence            text[],
    notes               text,
    created_at          timestamptz NOT NULL
);
CREATE INDEX visits_loan ON visits (loan_id);
CREATE INDEX visits_customer ON visits (customer_id);
CREATE INDEX visits_open_by_end ON visits (window_end) WHERE status = 'assigned';
CREATE INDEX visits_collectors ON visits USING gin (collector_ids);
