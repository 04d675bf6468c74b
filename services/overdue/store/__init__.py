"""All of overdue detection's SQL."""
