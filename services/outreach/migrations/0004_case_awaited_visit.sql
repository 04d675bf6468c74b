-- The visit a case waits for after the borrower confirmed a time: the request outreach sent, and
-- the visit dispatch scheduled for it. Reports about any other visit do not move the case.
ALTER TABLE cases ADD COLUMN awaited_visit_request_id text, ADD COLUMN awaited_visit_id text;
