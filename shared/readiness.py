"""Readiness: ready only while every dependency answered at its last use."""
from shared.metrics import DEPENDENCY_UP


class Readiness:
    def __init__(self, *dependencies: str):
        self._up = {name: False for name in dependencies}
        for name in dependencies:
            DEPENDENCY_UP.labels(name).set(0)

    def mark(self, dependency: str, up: bool) -> None:
        self._up[dependency] = up
        DEPENDENCY_UP.labels(dependency).set(1 if up else 0)

    @property
    def ready(self) -> bool:
        return all(self._up.values())

    def report(self) -> dict[str, bool]:
        return dict(self._up)
