"""The pure rules of agreement tracking: no Kafka, no SQL, no wall clock."""
