"""All of visit dispatch's SQL."""
