"""Markers by folder, so `-m "not integration and not e2e"` runs without the stack."""
from pathlib import Path

import pytest

MARKERS = {"integration": pytest.mark.integration, "contract": pytest.mark.integration, "e2e": pytest.mark.e2e}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in MARKERS:
            item.add_marker(MARKERS[folder])
