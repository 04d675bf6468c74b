-- When the sender handed the attempt to the gateway or dialer and it was accepted (service time), beside when
-- it was decided (decided_at): the last check before a send can stop an attempt that was allowed.
ALTER TABLE contact_attempts ADD COLUMN sent_at timestamptz;
