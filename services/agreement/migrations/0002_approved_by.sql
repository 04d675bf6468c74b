-- Who approved an agreement: the subject of the supervisor's token (never a name from the request).
ALTER TABLE agreements ADD COLUMN IF NOT EXISTS approved_by text;
