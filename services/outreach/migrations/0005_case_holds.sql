-- A payment cleared everything overdue on the case (delinquency.loan_paid_up): nothing more is done about it
-- until the day's end closes it; a reversal of that payment lets it go on.
ALTER TABLE cases ADD COLUMN paid_up_payment_id text, ADD COLUMN paid_up_at timestamptz;
CREATE INDEX cases_paid_up ON cases (paid_up_payment_id) WHERE paid_up_payment_id IS NOT NULL;

-- Disputes of a loan's purchase with the merchant (delinquency.loan_dispute_opened / _resolved; 'snapshot' stands
-- for one a delinquency snapshot reported as open when no announced dispute was): while one is not resolved, the
-- loan is not collected.
CREATE TABLE loan_disputes (
    loan_id     text NOT NULL,
    dispute_id  text NOT NULL,
    opened_at   timestamptz,
    resolved_at timestamptz,
    PRIMARY KEY (loan_id, dispute_id)
);
CREATE INDEX loan_disputes_open ON loan_disputes (loan_id) WHERE resolved_at IS NULL;

-- Agreements as agreement tracking announces them: in force from signed until broken, fulfilled or ended. They
-- hold every case of their loan, also those opened after signing (and by policy the customer's other loans).
CREATE TABLE agreements (
    agreement_id text PRIMARY KEY,
    loan_id      text NOT NULL,
    customer_id  text NOT NULL,
    status       text NOT NULL CHECK (status IN ('signed', 'broken', 'fulfilled', 'ended')),
    signed_at    timestamptz,
    ended_at     timestamptz
);
CREATE INDEX agreements_in_force_by_loan ON agreements (loan_id) WHERE status = 'signed';
CREATE INDEX agreements_in_force_by_customer ON agreements (customer_id) WHERE status = 'signed';
-- the agreements that held cases before outreach kept agreements of its own
INSERT INTO agreements (agreement_id, loan_id, customer_id, status)
SELECT DISTINCT ON (agreement_id) agreement_id, loan_id, customer_id, 'signed' FROM cases
WHERE agreement_id IS NOT NULL AND status = 'open' ORDER BY agreement_id
ON CONFLICT DO NOTHING;

-- The final decision about an allowed attempt that was never sent: cancelled because a fact stopped its case, or
-- blocked by the rule book at the last check before sending.
ALTER TABLE contact_decisions ADD COLUMN attempt_id text;
