"""When a service may act at a time, and which held events take effect then (shared/upstream.py)."""
from datetime import UTC, datetime, timedelta

from shared.upstream import Edge, lagging, needed, release_bounds

T = datetime(2026, 3, 2, 10, tzinfo=UTC)
BEFORE = T - timedelta(hours=1)
EDGES = {"delinquency": Edge.SAME_TICK, "dispatch": Edge.PREVIOUS_TICK, "loans": Edge.EVENT_TIME}
OWNED = [("delinquency", 0), ("delinquency", 1), ("dispatch", 0), ("loans", 0), ("clock", 0)]


def test_a_same_tick_input_must_reach_the_tick_and_a_previous_tick_input_the_time_before():
    assert needed(Edge.SAME_TICK, T, BEFORE) == T
    assert needed(Edge.PREVIOUS_TICK, T, BEFORE) == BEFORE
    assert needed(Edge.EVENT_TIME, T, BEFORE) is None  # the clock's writer orders the outside world


def test_every_owned_partition_of_a_same_tick_input_is_waited_for():
    marks = {("delinquency", 0): T, ("delinquency", 1): BEFORE, ("dispatch", 0): BEFORE}
    assert lagging(EDGES, OWNED, marks, T, BEFORE) == [("delinquency", 1)]


def test_a_partition_never_heard_from_is_behind():
    assert lagging(EDGES, OWNED, {("delinquency", 0): T, ("dispatch", 0): BEFORE}, T, BEFORE) == [
        ("delinquency", 1)]


def test_a_previous_tick_input_never_holds_up_the_first_tick():
    marks = {("delinquency", 0): T, ("delinquency", 1): T}
    assert lagging(EDGES, OWNED, marks, T, None) == []
    assert lagging(EDGES, OWNED, marks, T, BEFORE) == [("dispatch", 0)]


def test_a_watermark_past_the_tick_is_enough_and_partitions_not_owned_are_not_waited_for():
    later = T + timedelta(days=3)
    assert lagging(EDGES, [("delinquency", 1)], {("delinquency", 1): later}, T, BEFORE) == []
    assert lagging(EDGES, [("outreach", 0)], {}, T, BEFORE) == []


def test_held_events_due_by_the_tick_take_effect_except_a_previous_tick_input_s_which_wait_for_its_time():
    assert release_bounds(EDGES, T, BEFORE) == {"delinquency": T, "dispatch": BEFORE, "loans": T}
    assert release_bounds(EDGES, T, None) == {"delinquency": T, "loans": T}
