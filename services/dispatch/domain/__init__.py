"""The pure rules of visit dispatch: no Kafka, no SQL, no wall clock (`now` and dates are always parameters)."""
