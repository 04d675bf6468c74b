"""The conduct auditor's parts (tests/helpers/conduct_audit.py is the way in).

Independent of the rule-book code on purpose: every rule of conduct is re-stated here from the
product's rules, and only the rule book's numbers are read (rulebook.py), so a mistake in the
services' rules cannot hide itself by being repeated in their check.
"""
