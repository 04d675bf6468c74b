-- Overdue detection's projection of the loan book.
CREATE TABLE loans (
    loan_id       text PRIMARY KEY,
    customer_id   text NOT NULL,
    product       text NOT NULL,
    merchant      text NOT NULL,
    currency      text NOT NULL,
    principal     bigint NOT NULL,
    originated_at timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    closed_reason text,
    closed_at     timestamptz
);
CREATE INDEX loans_customer ON loans (customer_id);

CREATE TABLE instalments (
    loan_id    text NOT NULL REFERENCES loans ON DELETE CASCADE,
    sequence   int NOT NULL,
    due_date   date NOT NULL,
    amount_due bigint NOT NULL CHECK (amount_due >= 0),
    PRIMARY KEY (loan_id, sequence)
);

-- No foreign key on purpose: a payment may arrive before its loan and waits here.
CREATE TABLE payments (
    payment_id    text PRIMARY KEY,
    loan_id       text NOT NULL,
    amount        bigint NOT NULL CHECK (amount > 0),
    currency      text NOT NULL,
    paid_at       timestamptz NOT NULL,
    business_date date NOT NULL,
    channel       text NOT NULL
);
CREATE INDEX payments_loan ON payments (loan_id, business_date);

-- A reversal may also arrive before its payment; either order ends the same.
CREATE TABLE payment_reversals (
    payment_id  text PRIMARY KEY,
    loan_id     text NOT NULL,
    amount      bigint NOT NULL,
    reversed_at timestamptz NOT NULL,
    reversed_on date NOT NULL,  -- business date: the payment counts on every date before it
    reason      text NOT NULL
);

CREATE TABLE delinquency_state (
    loan_id            text PRIMARY KEY REFERENCES loans ON DELETE CASCADE,
    case_seq           int NOT NULL DEFAULT 0,
    case_id            text,
    bucket             text,
    settled            boolean NOT NULL DEFAULT false,
    closed             boolean NOT NULL DEFAULT false,
    days_past_due      int NOT NULL DEFAULT 0,
    overdue_amount     bigint NOT NULL DEFAULT 0,
    outstanding_amount bigint NOT NULL DEFAULT 0,
    evaluated_on       date
);
CREATE INDEX delinquency_bucket ON delinquency_state (bucket) WHERE bucket IS NOT NULL;
