"""Start the desktop application."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from incidentdesk.config import Profile, prepare_data_dir
from incidentdesk.ui.client import DeskClient
from incidentdesk.ui.main_window import MainWindow
from incidentdesk.ui.resources import icon
from incidentdesk.ui.sync_status import ServiceFactory, WorkstationSync, default_service
from incidentdesk.ui.theme import apply_theme

if TYPE_CHECKING:
    from incidentdesk.desk import Desk

SETTINGS_NAME = "ui-settings.ini"


def ui_settings(data_dir: Path) -> QSettings:
    """The window layout and preferences of one profile (kept beside its database)."""
    return QSettings(str(data_dir / SETTINGS_NAME), QSettings.Format.IniFormat)


def ensure_app() -> QApplication:
    """The QApplication (made once)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName("IncidentDesk")
    app.setOrganizationName("IncidentDesk")
    app.setWindowIcon(icon("app"))
    return app


def build_window(
    data_dir: Path,
    author: str | None,
    on_error: Callable[[MainWindow, BaseException], None] | None = None,
    sync_service: ServiceFactory = default_service,
) -> MainWindow:
    """The main window on a profile; its Desk opens on the worker, then data loads.

    Once the Desk is open (so the local file is upgraded, if it had to be), the sync with the
    shared database starts when the profile has one: its own thread, Desk and connections.
    Closing the window, or stopping its client, stops it.
    """
    profile = Profile.load(data_dir)
    name = author or profile.author()
    client = DeskClient(author=name)
    settings = ui_settings(data_dir)
    sync = WorkstationSync(data_dir, name, service_factory=sync_service)
    window = MainWindow(client, settings, sync)
    client.setParent(window)
    sync.setParent(window)
    window.sync_label.where = profile.shared_url

    def opened(_desk: object) -> None:
        window.load()
        sync.start(connected=bool(profile.shared_url))

    client.open(
        lambda: _open_desk(data_dir, name),
        opened,
        lambda error: (on_error or _cannot_open)(window, error),
    )
    return window


def _cannot_open(window: MainWindow, error: BaseException) -> None:
    QMessageBox.critical(window, "Cannot open the incident data", str(error))
    window.close()
    QApplication.exit(1)


def run_app(data_dir: Path, chosen: bool, author: str | None) -> int:
    """Open the main window and run until it closes."""
    app = ensure_app()
    data_dir = prepare_data_dir(data_dir, chosen)
    settings = ui_settings(data_dir)
    apply_theme(app, str(settings.value("theme", "system")))
    window = build_window(data_dir, author)
    window.show()
    code = int(app.exec())
    window.client.stop()
    return code


def _open_desk(data_dir: Path, name: str) -> Desk:
    # Runs on the store worker; SQLAlchemy loads there, while the window shows.
    from incidentdesk.desk import Desk

    return Desk.open(data_dir, name)
