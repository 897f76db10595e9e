"""The start-up wiring of a workstation (runtime.workstation), without Qt and without threads:
the factories are handed what a thread needs, and each opener works on the thread that calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from incidentdesk.app.desk import Desk
from incidentdesk.app.profile import save_name
from incidentdesk.infra.config import CONFIG_NAME
from incidentdesk.runtime.workstation import (
    desk_opener,
    server_opener,
    start_courier,
    start_sync,
)


class FakeThread:
    """Records what it was made with and whether it was started."""

    def __init__(self, *args: Any) -> None:
        self.args = args
        self.started = False

    def start(self) -> None:
        self.started = True


def test_start_sync_hands_the_service_its_openers_and_callbacks(data_dir: Path) -> None:
    statuses: list[object] = []
    changed: list[list[str]] = []
    service: Any = start_sync(data_dir, "Alice", statuses.append, changed.append, FakeThread)
    assert service.started
    open_desk, open_server, on_status, on_changed = service.args
    assert on_status == statuses.append and on_changed == changed.append
    desk = open_desk()
    try:
        assert isinstance(desk, Desk) and desk.author == "Alice"
    finally:
        desk.close()
    assert open_server() is None, "a profile without a shared database has no server"


def test_start_courier_hands_the_thread_a_desk_opener(data_dir: Path) -> None:
    changed: list[list[str]] = []
    service: Any = start_courier(data_dir, "Bob", changed.append, FakeThread)
    assert service.started
    open_desk, on_changed = service.args
    assert on_changed == changed.append
    desk = open_desk()
    try:
        assert desk.author == "Bob"
    finally:
        desk.close()


def test_a_damaged_profile_is_a_sync_error_on_the_sync_thread(data_dir: Path) -> None:
    from incidentdesk.runtime.sync import SharedError

    save_name(data_dir, "Alice")
    (data_dir / CONFIG_NAME).write_text("this is [not toml", encoding="utf-8")
    open_server: Callable[[], object] = server_opener(data_dir)
    with pytest.raises(SharedError):
        open_server()


def test_the_openers_touch_nothing_until_called(tmp_path: Path) -> None:
    missing = tmp_path / "not-yet"
    desk_opener(missing, "Alice")
    server_opener(missing)
    assert not missing.exists()
