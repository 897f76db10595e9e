"""Shared fixtures: a fresh data folder and a Desk on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt renders offscreen unless a test run asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from incidentdesk.desk import Desk


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty profile folder."""
    folder = tmp_path / "profile"
    folder.mkdir()
    return folder


@pytest.fixture
def desk(data_dir: Path) -> Iterator[Desk]:
    """A Desk on a fresh local store, recording as Alice."""
    opened = Desk.open(data_dir, "Alice")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never touch the real profile: the default data folder goes to a temporary place.
    monkeypatch.delenv("INCIDENTDESK_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
