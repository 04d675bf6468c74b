-- A payment that clears everything overdue on an open case is announced once per case (paid_up_case).
ALTER TABLE delinquency_state ADD COLUMN IF NOT EXISTS paid_up_case text;
CREATE INDEX IF NOT EXISTS payments_business_date ON payments (business_date);

-- Disputes with the merchant: open from the business date they were raised until the one they were resolved.
CREATE TABLE IF NOT EXISTS disputes (
    dispute_id   text PRIMARY KEY,
    loan_id      text NOT NULL,
    reason       text NOT NULL,
    opened_at    timestamptz NOT NULL,
    opened_on    date NOT NULL,
    outcome      text,
    resolved_at  timestamptz,
    resolved_on  date
);
CREATE INDEX IF NOT EXISTS disputes_loan ON disputes (loan_id);
