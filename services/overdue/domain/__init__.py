"""The pure rules of overdue detection: no Kafka, no SQL, no wall clock."""
