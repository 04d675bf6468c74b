"""Kafka plumbing: topics, the batch consumer, dead letters, the outbox relay."""
