"""Buckets: the configured days-past-due ranges a delinquent loan falls in."""
import re
from dataclasses import dataclass

DEFAULT_BUCKETS = "1-30,31-60,61-90,91-180,181+"

_CLOSED_RANGE = re.compile(r"^(\d+)-(\d+)$")
_OPEN_RANGE = re.compile(r"^(\d+)\+$")


@dataclass(frozen=True)
class BucketTable:
    """Contiguous ascending ranges, the last open-ended; so their starts define them."""

    starts: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.starts:
            raise ValueError("a bucket table needs at least one range")
        if self.starts[0] < 1:
            raise ValueError("the first bucket must start at 1 day past due or later")
        if any(a >= b for a, b in zip(self.starts, self.starts[1:])):
            raise ValueError("bucket starts must be strictly ascending")

    @classmethod
    def parse(cls, spec: str) -> "BucketTable":
        """Read a table such as "1-30,31-60,61-90,91-180,181+"."""
        ranges = [_parse_range(part.strip()) for part in spec.split(",")]
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            if end is None:
                raise ValueError(f"only the last bucket may be open-ended in {spec!r}")
            if start != end + 1:
                raise ValueError(
                    f"buckets must be contiguous: a range ending at {end} must be followed "
                    f"by one starting at {end + 1}, not {start}, in {spec!r}"
                )
        if ranges[-1][1] is not None:
            raise ValueError(f"the last bucket must be open-ended (like '181+') in {spec!r}")
        return cls(tuple(start for start, _ in ranges))

    @property
    def lower_bounds(self) -> list[int]:
        return list(self.starts)

    @property
    def labels(self) -> list[str]:
        closed = [f"{start}-{following - 1}" for start, following in zip(self.starts, self.starts[1:])]
        return closed + [f"{self.starts[-1]}+"]

    def bucket_for(self, days_past_due: int) -> str | None:
        """The label of the range holding `days_past_due`; None below the first range."""
        index = sum(1 for start in self.starts if start <= days_past_due) - 1
        return self.labels[index] if index >= 0 else None

    def rank(self, label: str) -> int:
        """0 for the mildest bucket, rising with days past due."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"unknown bucket {label!r}; the table has {self.labels}") from None


def _parse_range(text: str) -> tuple[int, int | None]:
    if match := _CLOSED_RANGE.match(text):
        start, end = int(match[1]), int(match[2])
        if end < start:
            raise ValueError(f"bucket {text!r} ends before it starts")
        return start, end
    if match := _OPEN_RANGE.match(text):
        return int(match[1]), None
    raise ValueError(f"bucket {text!r} is neither 'FROM-TO' nor 'FROM+' (whole days)")
