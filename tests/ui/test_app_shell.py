"""The desktop app opens."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incidentdesk.ui.app import MainWindow


def test_main_window_opens_with_the_profile_shown(qtbot: QtBot, data_dir: Path) -> None:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "IncidentDesk"
    assert str(data_dir) in window.centralWidget().text()
