"""The stand-in for the upstream loan systems: a deterministic book of mall loans,
a day-by-day message plan with configurable chaos, and a Kafka publisher."""
