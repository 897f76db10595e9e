"""UI fixtures: a real Desk on a temporary store, reached through the background worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.ui.common.client import DeskClient


@pytest.fixture
def client(desk: Desk, qtbot: QtBot) -> Iterator[DeskClient]:
    """A DeskClient on the ``desk`` fixture (its feed is not started: call start_feed())."""
    made = DeskClient(desk)
    yield made
    made.stop()


@pytest.fixture
def settle(qtbot: QtBot, client: DeskClient) -> Callable[[], None]:
    """Wait until every queued Desk call has run and delivered its result."""

    def wait() -> None:
        qtbot.waitUntil(lambda: client.worker.pending == 0, timeout=5000)

    return wait
