"""Bench-only instrumentation: time the service's own functions without touching their code."""
import statistics
import time
from contextlib import ExitStack, contextmanager

Calls = dict[str, list[float]]


@contextmanager
def timed(module, attribute: str, calls: Calls, label: str):
    """Wrap module.attribute (an async function) so each call's seconds go to calls[label]; restored on exit.

    Works for code that calls it as `module.attribute(...)`, which is how the service calls its store.
    """
    original = getattr(module, attribute)

    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            calls.setdefault(label, []).append(time.perf_counter() - started)

    setattr(module, attribute, wrapper)
    try:
        yield
    finally:
        setattr(module, attribute, original)


@contextmanager
def timed_all(targets: list[tuple[object, str, str]], calls: Calls):
    """timed() for several (module, attribute, label) at once."""
    with ExitStack() as stack:
        for module, attribute, label in targets:
            stack.enter_context(timed(module, attribute, calls, label))
        yield


def totals(calls: Calls) -> dict[str, float]:
    return {label: sum(seconds) for label, seconds in calls.items()}


def per_call(calls: Calls) -> dict[str, dict]:
    """Total seconds, number of calls, median and max milliseconds per label."""
    return {label: {"total_seconds": round(sum(s), 2), "calls": len(s),
                    "median_ms": round(statistics.median(s) * 1000, 1),
                    "max_ms": round(max(s) * 1000, 1)} for label, s in calls.items()}
