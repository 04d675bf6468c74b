"""Choices that look random but are a pure function of a text (an id): runs replay identically.

The sandboxes (make run's borrowers, field team and gateway) and the champion/challenger split use
these, never `random`, so the same ids give the same outcomes at any speed and after any crash.
"""
import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def stable_point(text: str) -> int:
    """An integer in [0, 2**64) from the text's SHA-256: the same text, the same point."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def stable_percent(text: str) -> int:
    """0..99, evenly spread over texts."""
    return stable_point(text) % 100


def stable_fraction(text: str) -> float:
    """[0, 1), evenly spread over texts."""
    return stable_point(text) / 2 ** 64


def pick_weighted(text: str, table: Sequence[tuple[T, int]]) -> T:
    """One entry of a (choice, percent) table whose percents sum to 100, chosen by the text."""
    if sum(percent for _, percent in table) != 100:
        raise ValueError("the percents of a pick table must sum to 100")
    point = stable_percent(text)
    for choice, percent in table:
        if point < percent:
            return choice
        point -= percent
    raise AssertionError("unreachable: the percents sum to 100")
