"""All of agreement tracking's SQL."""
