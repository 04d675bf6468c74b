"""The conduct auditor: reads what happened after a run and reports every breach of the rules of conduct,
per person and per loan or phone number.

    breaches = audit({"loan": [...], "delinquency": [...], "outreach": [...], "dispatch": [...],
                      "agreement": [...]}, stored=await read_attempts(fetch))
    print(summary(breaches))

`events` are decoded CloudEvents dicts by topic kind (any kinds: every event is read by its type);
the loan kind gives the borrowers' zones and numbers (loan.originated, customer.contact_updated).
`stored` (optional) is outreach's contact_attempts table through its adapter: the numbers called,
which attempts went out, and when, if the table says. The rules are re-stated in this package from
the product's rules of conduct, with only the rule book's numbers read (rulebook.py), so a mistake in
the services' rules cannot hide itself by being repeated in their check; the breach kinds and their
definitions are in kinds.py. The test suite runs it after the whole flow; `make run` shows its count.
"""
import json
from collections.abc import Iterable, Mapping
from typing import Any

from shared.events.codec import DecodeError, decode
from tools.conduct.attempts_table import StoredAttempt, read_attempts, stored_attempts
from tools.conduct.audit import Audit, run_audit, summary
from tools.conduct.kinds import KINDS
from tools.conduct.model import Breach
from tools.conduct.rulebook import Book

__all__ = ["KINDS", "Audit", "Book", "Breach", "StoredAttempt", "accepted", "audit", "read_attempts", "run_audit",
           "stored_attempts", "summary"]


def audit(events: Mapping[str, Iterable[dict[str, Any]]], *, stored: Mapping[str, StoredAttempt] | None = None,
          book: Book | None = None) -> list[Breach]:
    """Every breach, in time order."""
    return run_audit(events, stored=stored, book=book).breaches


def accepted(values: Iterable[bytes | None]) -> list[dict[str, Any]]:
    """A topic's messages as its consumers accept them, as dicts: what the codec refuses (invalid JSON, a
    contract violation, an unknown type: the simulator's chaos on the loan topic) is left out, as it was
    dead-lettered by every service."""
    found = []
    for value in values:
        try:
            decode(value)
        except DecodeError:
            continue
        if value is not None:  # decode refuses None: this only tells the type checker
            found.append(json.loads(value))
    return found
