"""Postgres plumbing: pool, migrations, inbox and outbox."""
