-- Agreement tracking's projection: open cases (for plan options), agreements, payments.
CREATE TABLE cases (
    case_id        text PRIMARY KEY,
    loan_id        text NOT NULL,
    customer_id    text NOT NULL,
    overdue_amount bigint NOT NULL,
    currency       text NOT NULL,
    as_of          date NOT NULL,
    open           boolean NOT NULL DEFAULT true
);
CREATE INDEX cases_customer ON cases (customer_id) WHERE open;
CREATE INDEX cases_loan ON cases (loan_id);

CREATE TABLE agreements (
    agreement_id      text PRIMARY KEY,
    case_id           text,
    loan_id           text NOT NULL,
    customer_id       text NOT NULL,
    status            text NOT NULL CHECK (status IN ('proposed', 'approved', 'active', 'fulfilled', 'broken',
                                                      'ended', 'rejected')),
    source            text NOT NULL,
    visit_id          text UNIQUE,
    currency          text NOT NULL,
    waiver_amount     bigint NOT NULL DEFAULT 0,
    requires_approval boolean NOT NULL,
    policy_version    text NOT NULL,
    violations        jsonb,
    agreement_text    text NOT NULL,
    proposed_at       timestamptz NOT NULL,
    approved_at       timestamptz,
    signed_at         timestamptz,
    signature         jsonb,
    closed_at         timestamptz
);
CREATE INDEX agreements_loan ON agreements (loan_id);
CREATE INDEX agreements_active ON agreements (status) WHERE status = 'active';

CREATE TABLE agreement_instalments (
    agreement_id text NOT NULL REFERENCES agreements,
    sequence     int NOT NULL,
    due_date     date NOT NULL,
    amount       bigint NOT NULL,
    paid         boolean NOT NULL DEFAULT false,
    missed       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (agreement_id, sequence)
);

CREATE TABLE loan_payments (
    payment_id text PRIMARY KEY,
    loan_id    text NOT NULL,
    amount     bigint NOT NULL,
    paid_at    timestamptz NOT NULL,
    reversed   boolean NOT NULL DEFAULT false
);
CREATE INDEX loan_payments_loan ON loan_payments (loan_id, paid_at);
