-- The business date the case's numbers describe (days past due is a snapshot as of it).
ALTER TABLE cases ADD COLUMN as_of date;
