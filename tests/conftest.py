"""Markers by folder, so `-m "not integration and not e2e"` runs without the stack; test topics cleaned up."""
import asyncio
import logging
import os
from pathlib import Path

import pytest

from tests.helpers.kafka import delete_topics, topic_names
from tests.helpers.naming import session_tag

MARKERS = {"integration": pytest.mark.integration, "contract": pytest.mark.integration, "e2e": pytest.mark.e2e,
           "deploy": pytest.mark.deploy, "service": pytest.mark.service}
_TOPICS_BEFORE = pytest.StashKey[set]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in MARKERS:
            item.add_marker(MARKERS[folder])


def _run(coroutine):
    """Outside pytest-asyncio's loops; unlike asyncio.run, leaves the main thread's event loop alone."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _is_xdist_worker(session: pytest.Session) -> bool:
    return hasattr(session.config, "workerinput")  # with -n, only the controller cleans up, after every worker


def pytest_configure(config: pytest.Config) -> None:
    session_tag()  # in the controller's environment before any xdist worker starts: they share it


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every test names its topics uniquely, with the session's tag; remember what was there so the session
    can remove its own."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap and not _is_xdist_worker(session):
        try:
            session.stash[_TOPICS_BEFORE] = _run(topic_names(bootstrap))
        except Exception:  # noqa: BLE001 - no broker: the stack tests will say so themselves
            pass


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A broker kept between runs would otherwise gather thousands of partitions (and run out of heap)."""
    before = session.stash.get(_TOPICS_BEFORE, None)
    if before is None:
        return
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    try:
        created = _run(topic_names(bootstrap)) - before
        tag = session_tag()  # another session running beside this one on the same broker keeps its topics
        _run(delete_topics(bootstrap, {t for t in created if tag in t and not t.startswith("__")}))
    except Exception as error:  # noqa: BLE001 - clean-up must not turn a green run red
        logging.getLogger(__name__).warning("test topics not deleted: %r", error)
