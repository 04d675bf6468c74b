-- Outreach's projection: people (not loans) are what the rules protect.
CREATE TABLE customers (
    customer_id text PRIMARY KEY,
    first_name  text NOT NULL,
    time_zone   text NOT NULL
);

CREATE TABLE contact_points (
    customer_id text NOT NULL REFERENCES customers,
    destination text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('borrower', 'emergency_contact')),
    relation    text,
    invalid     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (customer_id, destination)
);

CREATE TABLE customer_loans (
    loan_id     text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers,
    product     text NOT NULL,
    currency    text NOT NULL,
    address     jsonb NOT NULL
);
CREATE INDEX customer_loans_customer ON customer_loans (customer_id);

CREATE TABLE preferences (
    customer_id       text PRIMARY KEY,
    stop_contact      boolean NOT NULL DEFAULT false,
    preferred_channel text,
    preferred_start   time,
    preferred_end     time,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE cases (
    case_id         text PRIMARY KEY,
    loan_id         text NOT NULL,
    customer_id     text NOT NULL,
    status          text NOT NULL CHECK (status IN ('open', 'closed')),
    bucket          text,
    risk_segment    text NOT NULL,
    days_past_due   int NOT NULL,
    overdue_amount  bigint NOT NULL,
    currency        text NOT NULL,
    variant         text NOT NULL,
    ladder          text,
    step_index      int NOT NULL DEFAULT 0,
    step_attempts   int NOT NULL DEFAULT 0,
    next_action_at  timestamptz,
    waiting_for     text,
    broken_promises int NOT NULL DEFAULT 0,
    opened_at       timestamptz NOT NULL,
    closed_at       timestamptz,
    close_reason    text
);
CREATE INDEX cases_due ON cases (next_action_at) WHERE status = 'open';
CREATE INDEX cases_customer ON cases (customer_id);
CREATE INDEX cases_loan ON cases (loan_id);

CREATE TABLE contact_attempts (
    attempt_id       text PRIMARY KEY,
    customer_id      text NOT NULL,
    case_id          text,
    channel          text NOT NULL,
    recipient        text NOT NULL,
    destination      text NOT NULL,
    purpose          text NOT NULL,
    template_id      text NOT NULL,
    message          text,
    strategy_variant text NOT NULL,
    policy_version   text NOT NULL,
    decided_at       timestamptz NOT NULL,
    dispatch_status  text NOT NULL DEFAULT 'pending'
                     CHECK (dispatch_status IN ('pending', 'sent', 'failed', 'cancelled')),
    dispatch_tries   int NOT NULL DEFAULT 0,
    next_dispatch_at timestamptz NOT NULL,
    outcome          text,
    outcome_at       timestamptz
);
CREATE INDEX attempts_customer ON contact_attempts (customer_id, decided_at);
CREATE INDEX attempts_to_dispatch ON contact_attempts (next_dispatch_at) WHERE dispatch_status = 'pending';

-- Every decision, allow or block, with the rule and the policy version: the audit trail.
CREATE TABLE contact_decisions (
    decision_id      text PRIMARY KEY,
    customer_id      text NOT NULL,
    case_id          text,
    channel          text NOT NULL,
    recipient        text NOT NULL,
    purpose          text NOT NULL,
    allowed          boolean NOT NULL,
    rule_id          text NOT NULL,
    policy_version   text NOT NULL,
    strategy_variant text NOT NULL,
    retry_at         timestamptz,
    decided_at       timestamptz NOT NULL
);
CREATE INDEX decisions_customer ON contact_decisions (customer_id, decided_at);

CREATE TABLE loan_payments (
    payment_id    text PRIMARY KEY,
    loan_id       text NOT NULL,
    amount        bigint NOT NULL,
    paid_at       timestamptz NOT NULL,
    reversed      boolean NOT NULL DEFAULT false
);
CREATE INDEX loan_payments_loan ON loan_payments (loan_id, paid_at);

CREATE TABLE promises (
    promise_id  text PRIMARY KEY,
    case_id     text NOT NULL,
    customer_id text NOT NULL,
    loan_id     text NOT NULL,
    amount      bigint NOT NULL,
    currency    text NOT NULL,
    due_date    date NOT NULL,
    made_at     timestamptz NOT NULL,
    status      text NOT NULL CHECK (status IN ('open', 'kept', 'broken')),
    paid_amount bigint NOT NULL DEFAULT 0
);
CREATE INDEX promises_open ON promises (loan_id) WHERE status = 'open';

CREATE TABLE complaints (
    complaint_id text PRIMARY KEY,
    customer_id  text NOT NULL,
    category     text NOT NULL,
    description  text NOT NULL,
    status       text NOT NULL CHECK (status IN ('open', 'resolved')),
    opened_at    timestamptz NOT NULL,
    resolved_at  timestamptz,
    resolution   text
);
CREATE INDEX complaints_open ON complaints (customer_id) WHERE status = 'open';

CREATE TABLE visit_offers (
    offer_id        text PRIMARY KEY,
    case_id         text NOT NULL,
    customer_id     text NOT NULL,
    slots           jsonb NOT NULL,
    offered_at      timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('offered', 'confirmed', 'expired')),
    confirmed_start timestamptz,
    confirmed_end   timestamptz
);
CREATE INDEX visit_offers_customer ON visit_offers (customer_id) WHERE status = 'offered';
