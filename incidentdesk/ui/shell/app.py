"""Start the desktop application: pick the profile, welcome a new one, open the window."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from incidentdesk import __version__
from incidentdesk.app.profile import (
    DEFAULT_PROFILE,
    Profile,
    ProfileLocation,
    default_author,
    is_connected,
    last_profile,
    list_profiles,
    prepare_profile,
    remember_profile,
    start_log,
)
from incidentdesk.core.errors import UserError
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.resources import icon
from incidentdesk.ui.shell.main_window import MainWindow
from incidentdesk.ui.shell.opening import WindowOpening
from incidentdesk.ui.shell.opening import freeze_heap as freeze_heap  # where tests find it
from incidentdesk.ui.shell.qt_messages import install_message_filter
from incidentdesk.ui.shell.theme import apply_theme
from incidentdesk.ui.shell.workstation import (
    CourierFactory,
    ServiceFactory,
    WorkstationCourier,
    WorkstationSync,
    default_courier,
    default_service,
)

if TYPE_CHECKING:  # the welcome dialogs and the error reporter load when they are needed
    from incidentdesk.app.desk import Desk
    from incidentdesk.ui.shell.welcome_dialog import WelcomeDialog
    from incidentdesk.ui.widgets.diagnostics import UrlOpener

SETTINGS_NAME = "ui-settings.ini"
log = logging.getLogger(__name__)


def ui_settings(data_dir: Path) -> QSettings:
    """The window layout and preferences of one profile (kept beside its database)."""
    return QSettings(str(data_dir / SETTINGS_NAME), QSettings.Format.IniFormat)


def ensure_app() -> QApplication:
    """The QApplication (made once)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    install_message_filter()  # before the first window is set up
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
    *,
    location: ProfileLocation | None = None,
    log_file: Path | None = None,
    first_job: Callable[[Desk], str | None] | None = None,
    courier_service: CourierFactory = default_courier,
) -> MainWindow:
    """The main window on a profile; its Desk opens on the worker, then data loads.

    Once the Desk is open (so the local file is upgraded, if it had to be), the sync with the
    shared database starts when the profile has one: its own thread, Desk and connections.
    Closing the window, or stopping its client, stops it. The courier (the thread that sends
    pages and chat posts from the local outbox) starts then too, with its own Desk.

    Args:
        location: the profile (for the title, settings and diagnostics); default: the
            default profile at ``data_dir``.
        log_file: the log file (Help → Open log folder).
        first_job: runs on the worker once the Desk is open, before the first load; the
            incident id it returns is opened (the welcome dialog's demo incident).
    """
    profile = Profile.load(data_dir)
    name = author or profile.author()
    client = DeskClient(author=name)
    settings = ui_settings(data_dir)
    # The first read and the Desk's opening start now, while the window is built.
    opening: WindowOpening[MainWindow] = WindowOpening(
        client,
        data_dir,
        name,
        settings,
        first_job is None,
        lambda shown: _start_services(shown, connected=bool(profile.shared_url)),
        on_error or _cannot_open,
    )
    sync = WorkstationSync(data_dir, name, service_factory=sync_service)
    courier = WorkstationCourier(data_dir, name, service_factory=courier_service)
    window = MainWindow(client, settings, sync, courier)
    window.location = location or ProfileLocation(data_dir)
    window.log_file = log_file
    window.author_override = author
    if not window.location.is_default:
        window.setWindowTitle(f"IncidentDesk — {window.location.name}")
    for child in (client, sync, courier):
        child.setParent(window)
    window.sync_label.where = profile.shared_url
    opening.built(window)
    if first_job is None:
        window.load()
    else:
        client.call(first_job, window.load, lambda error: _first_job_failed(window, error))
    return window


def _start_services(window: MainWindow, connected: bool) -> None:
    # Once the Desk is open: the sync, then the courier a moment after the window shows
    # its data (pages left from the last run go out without competing with the first
    # paint; a new page wakes it at once).
    if window.sync is not None:
        window.sync.start(connected=connected)
    if window.courier is not None:
        QTimer.singleShot(COURIER_DELAY_MS, window, window.courier.start)


COURIER_DELAY_MS = 1500


def _first_job_failed(window: MainWindow, error: BaseException) -> None:
    from incidentdesk.ui.common.tasks import user_message

    window.show_message(user_message(error))
    window.load()


def _cannot_open(window: MainWindow, error: BaseException) -> None:
    QMessageBox.critical(window, "Cannot open the incident data", str(error))
    window.close()
    QApplication.exit(1)


def seed_demo_drill(desk: Desk) -> str:
    """The welcome dialog's demo, the same drill as ``incidentdesk demo`` (with the demo's
    catalog, so the escalation panel has owners to show). Runs on the store worker."""
    from incidentdesk.app.demo import seed_demo_catalog
    from incidentdesk.app.demo import seed_demo_drill as seed

    seed_demo_catalog(desk)
    return seed(desk)


class Startup(QObject):
    """Opens a profile: the welcome dialog first when it has no database yet, then the
    main window (connected, or with the demo incident open, as chosen).

    Args:
        location: the profile, its folder ready.
        author: the ``--as`` name, if any.
        log_file: the log file, for the window's Help menu.
        sync_service: makes the sync service (tests pass their own).
        courier_service: makes the courier thread (tests pass their own).

    Signals:
        window_opened(object): the main window is showing.
    """

    window_opened = Signal(object)

    def __init__(
        self,
        location: ProfileLocation,
        author: str | None = None,
        log_file: Path | None = None,
        sync_service: ServiceFactory = default_service,
        opener: UrlOpener = QDesktopServices.openUrl,
        courier_service: CourierFactory = default_courier,
    ) -> None:
        super().__init__()
        self.location = location
        self.author = author
        self.log_file = log_file
        self.sync_service = sync_service
        self.courier_service = courier_service
        self.opener = opener
        self.welcome: WelcomeDialog | None = None
        self.window: MainWindow | None = None

    def begin(self) -> None:
        """Show the welcome dialog (a new profile) or the window."""
        from incidentdesk.ui.shell.welcome_dialog import LOCAL, WelcomeDialog

        if self.location.has_database() or is_connected(self.location):
            self.open_window(LOCAL)
            return
        default_name = self.author or default_author(self.location.data_dir)
        self.welcome = WelcomeDialog(self.location, default_name)
        self.welcome.chosen.connect(self.open_window)
        self.welcome.rejected.connect(self._not_started)
        self.welcome.show()

    def open_window(self, start: str) -> MainWindow:
        """Open the main window; ``start`` is the welcome dialog's choice."""
        from incidentdesk.ui.shell.welcome_dialog import CATALOG, DEMO

        window = build_window(
            self.location.data_dir,
            self.author,
            sync_service=self.sync_service,
            courier_service=self.courier_service,
            location=self.location,
            log_file=self.log_file,
            first_job=seed_demo_drill if start == DEMO else None,
        )
        window.url_opener = self.opener
        catalog_file = self.welcome.catalog_file if self.welcome is not None else None
        if start == CATALOG and catalog_file is not None:
            window.import_catalog(catalog_file)  # queued after the Desk opens
        window.show()
        self.window = window
        log.info("window opened on profile %s (%s)", self.location.name, start)
        self.window_opened.emit(window)
        return window

    def _not_started(self) -> None:
        # Quit from the welcome dialog: a new named profile that stayed empty leaves no folder.
        if not self.location.is_default:
            with contextlib.suppress(OSError):
                self.location.data_dir.rmdir()

    def finish(self) -> None:
        """Stop the window's background work (after the event loop ended)."""
        if self.window is not None:
            self.window.client.stop()


def choose_profile(location: ProfileLocation) -> ProfileLocation | None:
    """The profile to open: as named, or as picked in the chooser when named profiles exist
    (None: the user cancelled)."""
    if location.named or not location.base.is_dir():
        return location
    names = list_profiles(location.base)
    if not any(name != DEFAULT_PROFILE for name in names):
        return location
    from incidentdesk.ui.shell.welcome_dialog import ProfileChooser

    chooser = ProfileChooser(location, names, last_profile(location.base))
    if chooser.exec() != QDialog.DialogCode.Accepted or chooser.chosen is None:
        return None
    return location.with_name(chooser.chosen)


def run_app(location: ProfileLocation, author: str | None) -> int:
    """Open the app on a profile and run until its window closes."""
    app = ensure_app()
    apply_theme(app, str(ui_settings(location.base).value("theme", "system")))
    try:
        chosen = choose_profile(location)
        if chosen is None:
            return 0
        location = chosen
        data_dir = prepare_profile(location, create=True)
    except UserError as exc:
        QMessageBox.critical(None, "Cannot open the profile", str(exc))
        raise
    remember_profile(location.base, location.name)
    log_file = start_log("app", location.name, location.base if location.base_chosen else None)
    log.info("IncidentDesk %s starting: profile %s in %s", __version__, location.name, data_dir)
    apply_theme(app, str(ui_settings(data_dir).value("theme", "system")))
    from incidentdesk.ui.widgets.error_dialog import ErrorReporter

    reporter = ErrorReporter(None, log_file)
    reporter.install()
    startup = Startup(location, author, log_file)
    startup.window_opened.connect(reporter.set_window)
    startup.begin()
    try:
        code = int(app.exec())
    finally:
        startup.finish()
        reporter.uninstall()
    log.info("IncidentDesk closed (exit code %s)", code)
    return code
