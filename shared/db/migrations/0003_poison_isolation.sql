-- No single message can stop a service.
-- The inbox remembers a digest of what each event said, so the same id with other content is a conflict.
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS digest text;

-- The last resort for a message that cannot even be dead-lettered: its position and a digest,
-- never its bytes. The partition moves on; an operator reads the message from Kafka by position.
CREATE TABLE IF NOT EXISTS quarantine (
    inbox_id       text PRIMARY KEY,
    topic          text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset   bigint NOT NULL,
    reason         text NOT NULL,
    value_bytes    integer NOT NULL,
    value_sha256   text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now()
);

-- An outbox row the broker will never take (e.g. over its size limit) is set aside with the
-- reason, so the rows behind it are published.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS failed_at timestamptz;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS failure text;
DROP INDEX IF EXISTS outbox_unsent;
CREATE INDEX IF NOT EXISTS outbox_to_send ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;
