-- A loan's closure takes effect at the end of its business day (the later of the day it closed and the
-- day it was announced), as a payment does: read ahead of the clock, it does not close the loan early.
-- Loans closed before this migration were closed in delinquency_state at once; they need neither column.
ALTER TABLE loans ADD COLUMN IF NOT EXISTS closes_on date;
ALTER TABLE loans ADD COLUMN IF NOT EXISTS closure_announced_at timestamptz;
