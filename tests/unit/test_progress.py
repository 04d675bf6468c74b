"""A loop is stalled only while it holds one piece of work past the limit."""
from shared.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_loop_holding_work_past_the_limit_is_stalled_and_recovers_when_done():
    clock = Clock()
    progress = Progress("consumer", clock)
    with progress.working():
        clock.now = 59
        assert not progress.stalled(60)
        clock.now = 61
        assert progress.stalled(60)
    assert not progress.stalled(60)


def test_an_idle_loop_is_never_stalled():
    clock = Clock()
    progress = Progress("relay", clock)
    clock.now = 10_000
    assert not progress.stalled(60)
