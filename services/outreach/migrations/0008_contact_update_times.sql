-- Latest by event time wins: the time of the last update applied to each of a person's contact details (time
-- zone, the list of their phones, address; and, per number, the latest fact that listed it), so that an older
-- update read later never replaces a newer one. A contact update may be read before the loan's origination
-- (another partition): the person's row then keeps it until the origination names them (first_name is NULL
-- until then, and such a row is nobody outreach acts for).
ALTER TABLE customers ALTER COLUMN first_name DROP NOT NULL, ALTER COLUMN time_zone DROP NOT NULL,
    ADD COLUMN time_zone_at timestamptz, ADD COLUMN phones_at timestamptz,
    ADD COLUMN address jsonb, ADD COLUMN address_at timestamptz;
ALTER TABLE contact_points ADD COLUMN listed_at timestamptz;
ALTER TABLE customer_loans ADD COLUMN address_at timestamptz;
