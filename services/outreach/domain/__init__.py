"""The pure rules of outreach: no Kafka, no SQL, no wall clock (`now` is always a parameter)."""
