"""All of outreach's SQL."""
