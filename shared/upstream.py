"""When a service may act at a time, and which of the events it read take effect then (pure rules).

A service acts at a clock tick T only once every input has got far enough, and then applies the events
it holds that are due by then (docs/time.md draws the graph):

- `EVENT_TIME`: an outside system's topic (the loan systems). The clock is written after the events
  that happened before it, so at T the service has them all (the consumer reads every such partition
  to its end before a tick); an event takes effect at the first tick at or after its own time.
- `SAME_TICK`: a service upstream of this one at the same time (overdue detection for outreach, say).
  At T its watermark must have reached T on every partition read; its events take effect at the
  first tick at or after the watermark that followed them.
- `PREVIOUS_TICK`: a service downstream of this one (a cycle: dispatch for outreach). Waiting for T
  would wait on itself, so at T it must have reached this service's previous time, and only its
  events covered by then take effect.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

Partition = tuple[str, int]


class Edge(StrEnum):
    EVENT_TIME = "event_time"
    SAME_TICK = "same_tick"
    PREVIOUS_TICK = "previous_tick"


def needed(edge: Edge, tick: datetime, previous: datetime | None) -> datetime | None:
    """The watermark an input of this kind must have reached before the service acts at `tick`
    (None: nothing to wait for)."""
    if edge is Edge.SAME_TICK:
        return tick
    if edge is Edge.PREVIOUS_TICK:
        return previous
    return None


def due_by(edge: Edge, tick: datetime, previous: datetime | None) -> datetime | None:
    """Held events of this input whose `due` is at or before this take effect at `tick` (None: none)."""
    return previous if edge is Edge.PREVIOUS_TICK else tick


def lagging(edges: Mapping[str, Edge], owned: Iterable[Partition], watermarks: Mapping[Partition, datetime],
            tick: datetime, previous: datetime | None) -> list[Partition]:
    """The owned input partitions whose watermark has not reached what acting at `tick` needs."""
    behind = []
    for topic, partition in sorted(owned):
        edge = edges.get(topic)
        if edge is None or (bound := needed(edge, tick, previous)) is None:
            continue
        reached = watermarks.get((topic, partition))
        if reached is None or reached < bound:
            behind.append((topic, partition))
    return behind


def release_bounds(edges: Mapping[str, Edge], tick: datetime, previous: datetime | None) -> dict[str, datetime]:
    """Per held topic, the latest `due` that takes effect at `tick`."""
    return {topic: bound for topic, edge in edges.items() if (bound := due_by(edge, tick, previous)) is not None}
