"""JSON logs on stdout. Personal data never goes in: log ids and counts, not names or phones."""
import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = _without_values(record.exc_info)
        return json.dumps(entry, default=str)


def _without_values(exc_info: Any) -> str:
    """Where an exception came from, never what it says: messages of database and validation errors
    quote the input (amounts, phones, names). Types and frames (file, line, function) only."""
    _, error, trace = exc_info
    lines = []
    while error is not None:
        frames = traceback.extract_tb(error.__traceback__ if error.__traceback__ else trace)
        lines += [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
        lines.append(f"{type(error).__module__}.{type(error).__qualname__}")
        error, trace = error.__cause__ or error.__context__, None
    return "\n".join(lines)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
