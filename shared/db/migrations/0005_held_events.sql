-- Events read ahead of the service's time, held until the tick at which they take effect (docs/time.md).
-- `due` is the time they take effect at: the event's own time for an outside system's event.
CREATE TABLE IF NOT EXISTS held_events (
    topic        text NOT NULL,
    partition    integer NOT NULL,
    kafka_offset bigint NOT NULL,
    event_id     text NOT NULL,
    event_type   text NOT NULL,
    message_key  text,
    due          timestamptz NOT NULL,
    message      bytea NOT NULL,
    PRIMARY KEY (topic, partition, kafka_offset)
);
CREATE INDEX IF NOT EXISTS held_events_due ON held_events (due, topic, partition, kafka_offset);
