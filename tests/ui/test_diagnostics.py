"""Help → Open log folder, Copy diagnostics, and the shortcut overview's keys."""

from __future__ import annotations

import platform
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QGuiApplication, QKeySequence
from pytestqt.qtbot import QtBot

from incidentdesk import __version__
from incidentdesk.infra import logs
from incidentdesk.infra.config import ProfileLocation, shared_secret_name
from incidentdesk.infra.secrets import SERVICE
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow

SECRET = "diag-Secret-0099"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    base = tmp_path / "base"
    location = ProfileLocation(base, "training", base_chosen=True, named=True)
    location.data_dir.mkdir(parents=True)
    log_file = logs.setup("app", "training", base)
    opened = build_window(location.data_dir, "Alice", location=location, log_file=log_file)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.rows_loaded, timeout=10_000)
    yield opened
    opened.client.stop()
    logs.shutdown()


def test_the_title_names_a_named_profile(window: MainWindow) -> None:
    assert window.windowTitle() == "IncidentDesk — training"


def test_open_log_folder_asks_the_desktop_for_the_folder(
    window: MainWindow, tmp_path: Path
) -> None:
    asked: list[QUrl] = []
    window.url_opener = lambda url: asked.append(url) or True
    window.open_log_folder()
    folder = tmp_path / "base" / "logs"
    assert asked == [QUrl.fromLocalFile(str(folder))]
    assert folder.is_dir(), "made, so the file manager has something to open"
    assert "Opened" in window.statusBar().currentMessage()


def test_open_log_folder_without_a_file_manager_says_where_it_is(window: MainWindow) -> None:
    window.url_opener = lambda _url: False
    window.open_log_folder()
    assert "the log is in" in window.statusBar().currentMessage()


def test_copy_diagnostics_has_versions_and_state_but_no_secret(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    memory_keyring: dict[tuple[str, str], str],
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
) -> None:
    memory_keyring[(SERVICE, shared_secret_name(data_dir))] = SECRET
    monkeypatch.setenv("INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT", SECRET + "-env")
    window.sync_label.where = "postgresql://desk@db.example.org:5432/incidents"
    QGuiApplication.clipboard().clear()
    window.copy_diagnostics()
    qtbot.waitUntil(lambda: "IncidentDesk" in QGuiApplication.clipboard().text(), timeout=5000)
    text = QGuiApplication.clipboard().text()
    for expected in (
        f"IncidentDesk:    {__version__}",
        platform.python_version(),
        qVersion(),
        pyside_version,
        sqlite3.sqlite_version,
        "SQLAlchemy:",
        "Profile:         training",
        str(tmp_path / "base" / "profiles" / "training"),
        str(tmp_path / "base" / "logs" / "incidentdesk-training.log"),
        "Sync:            local only",
        "Shared database: postgresql://desk@db.example.org:5432/incidents",
        "Secrets are kept in the system keyring",
    ):
        assert expected in text, expected
    assert SECRET not in text
    assert "Diagnostics copied" in window.statusBar().currentMessage()


def test_help_lists_shortcuts_with_f1_and_ctrl_slash(window: MainWindow) -> None:
    from incidentdesk.ui.shell.shortcuts import shortcut_overview

    shortcuts = next(
        a for a in window.findChildren(type(window.settings_action)) if "Keyboard" in a.text()
    )
    assert [k.toString() for k in shortcuts.shortcuts()] == ["F1", "Ctrl+/"]
    assert QKeySequence("Ctrl+,").toString() in shortcut_overview(window)
