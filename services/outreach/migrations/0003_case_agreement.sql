-- The agreement in force on the case's loan (signed, not broken): no contact while it is set,
-- whatever else the case waits for; a broken agreement is matched by its id.
ALTER TABLE cases ADD COLUMN agreement_id text;
