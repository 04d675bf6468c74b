-- Until when payments count toward a promise: the end of its due date plus the grace, on the portfolio's
-- calendar (payments count from the promise on). NULL for promises made before this was kept: every payment
-- since the promise counts toward them, as it did then.
ALTER TABLE promises ADD COLUMN counts_until timestamptz;
