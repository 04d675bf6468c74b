-- Events now go out in CloudEvents structured mode with `content-type: application/cloudevents+json`
-- and no `ce_*` header (shared/kafka/relay.py). Rows written before that and not yet sent carry the
-- old `ce_type` header, which the Kafka binding would take for binary mode: give them the new one.
UPDATE outbox SET headers = (headers - 'ce_type') || '{"content-type": "application/cloudevents+json"}'::jsonb
 WHERE sent_at IS NULL AND headers ? 'ce_type';
