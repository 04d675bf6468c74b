"""Logs name where an error came from, never the values it quotes."""
import json
import logging
import sys

from shared.logging import JsonFormatter

PHONE = "13912345678"


def test_an_exception_is_logged_without_its_message_or_the_input_it_quotes():
    try:
        try:
            raise ValueError(f"invalid input for query argument $1: {PHONE!r}")
        except ValueError as inner:
            raise RuntimeError(f"handler failed on {PHONE}") from inner
    except RuntimeError:
        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "batch failed", (), None)
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter("overdue").format(record))
    assert PHONE not in json.dumps(entry)
    assert "builtins.RuntimeError" in entry["exc"] and "builtins.ValueError" in entry["exc"]
    assert "test_logging.py" in entry["exc"]
