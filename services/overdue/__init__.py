"""Overdue detection: notices overdue instalments and publishes delinquency events."""
