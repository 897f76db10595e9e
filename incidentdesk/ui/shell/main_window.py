"""The main window: a thin shell of menus, four views (command, library, metrics, catalog), a
status bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QSettings, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QMenuBar,
)

from incidentdesk.app.profile import ProfileLocation
from incidentdesk.core.journal.sync_state import SyncStatus
from incidentdesk.ui.command.incident_list import IncidentList
from incidentdesk.ui.command.quarantine_view import QuarantineDialog, QuarantineLabel
from incidentdesk.ui.command.reminder_settings import load_intervals, save_intervals
from incidentdesk.ui.command.view import CommandView
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.resources import icon
from incidentdesk.ui.settings.sync_status import OfflineBanner, SyncStatusLabel
from incidentdesk.ui.shell.dialogs import WindowDialogs
from incidentdesk.ui.shell.lazy_views import LazyViews, WhenMade
from incidentdesk.ui.shell.pages import command_page, view_tabs
from incidentdesk.ui.shell.rows_feed import RowsFeed
from incidentdesk.ui.shell.theme import ThemeMenu
from incidentdesk.ui.shell.workstation import WorkstationCourier, WorkstationSync

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.glance import Glance
    from incidentdesk.ui.catalog.browser import CatalogBrowser
    from incidentdesk.ui.command.declare_dialog import DeclareDialog
    from incidentdesk.ui.command.reminder_settings import ReminderSettingsDialog
    from incidentdesk.ui.library.panel import LibraryPanel
    from incidentdesk.ui.metrics.panel import MetricsPanel
    from incidentdesk.ui.settings.connection_dialog import ConnectionDialog
    from incidentdesk.ui.settings.dialog import SettingsDialog
    from incidentdesk.ui.shell.shortcuts import ShortcutsDialog

VIEWS = ("Command", "Library", "Metrics", "Catalog")
COMMAND, LIBRARY, METRICS, CATALOG = range(len(VIEWS))


class MainWindow(QMainWindow):
    """The IncidentDesk window.

    Args:
        client: the Desk, reached through the background worker.
        settings: where the window layout, theme and last incident are remembered.
        sync: this workstation's sync with the shared database (None: none at all, as in
            tests of the window alone); the window shows its state and stops it on close.
        courier: the thread that sends pages and chat posts (None: nothing is sent from
            this window); woken after every local change, stopped on close.
    """

    def __init__(
        self,
        client: DeskClient,
        settings: QSettings,
        sync: WorkstationSync | None = None,
        courier: WorkstationCourier | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.sync = sync
        self.courier = courier
        # Set by build_window: the profile, its log file, the --as name of this session.
        self.location: ProfileLocation | None = None
        self.log_file: Path | None = None
        self.author_override: str | None = None
        self.url_opener: Callable[[QUrl], bool] = QDesktopServices.openUrl  # tests: their own
        self.dialogs = WindowDialogs(self, client, shared_database_available=sync is not None)
        self.setWindowTitle("IncidentDesk")
        self.setWindowIcon(icon("app"))
        self.resize(1400, 900)
        self._restored_incident: str | None = str(settings.value("last_incident", "") or "")
        self.rows_loaded = False  # the first incident list has arrived

        self.incident_list = IncidentList(self)
        self.command_view = CommandView(client, self)
        self.offline_banner = OfflineBanner(self)
        banner, view = self.offline_banner, self.command_view
        self.splitter = command_page(self, self.incident_list, banner, view)
        self.lazy = LazyViews(self, self, client)  # library, metrics, catalog: made when shown
        self.lazy.sync_now = sync.status if sync is not None else None
        pages = (self.splitter, *self.lazy.pages.values())
        self.views = view_tabs(self, dict(zip(VIEWS, pages, strict=True)))
        self.setCentralWidget(self.views)
        self.rows_feed = RowsFeed(
            self.incident_list,
            WhenMade(self.lazy.pages["library"]),
            WhenMade(self.lazy.pages["metrics"]),
            lambda: self.views.currentIndex() == LIBRARY,
            self,
        )

        self.sync_label = SyncStatusLabel(self)
        self.quarantine_label = QuarantineLabel(client, self)
        self.statusBar().addPermanentWidget(self.quarantine_label)
        self.statusBar().addPermanentWidget(self.sync_label)

        self._build_menus()
        self._connect_views()
        self._connect_dialogs()
        if sync is not None:
            sync.status_changed.connect(self._sync_status)
            sync.follow(client)
        if courier is not None:
            courier.follow(client)
        self._restore_layout()

    @property
    def library(self) -> LibraryPanel:
        """The library view (made now if it was not yet)."""
        return cast("LibraryPanel", self.lazy.pages["library"].get())

    @property
    def metrics(self) -> MetricsPanel:
        """The metrics view (made now if it was not yet)."""
        return cast("MetricsPanel", self.lazy.pages["metrics"].get())

    @property
    def catalog(self) -> CatalogBrowser:
        """The catalog view (made now if it was not yet)."""
        return cast("CatalogBrowser", self.lazy.pages["catalog"].get())

    def newest_rows(self) -> list[dict[str, Any]]:
        """The incident rows last fetched (for a view made later)."""
        return self.rows_feed.rows

    def _connect_views(self) -> None:
        self.incident_list.selected.connect(self._incident_selected)
        self.command_view.message.connect(self.show_message)
        self.command_view.catalog_import_requested.connect(lambda: self.import_catalog())
        self.command_view.catalog_requested.connect(lambda: self.show_view(CATALOG))
        self.client.error.connect(self.show_message)
        self.client.incidents_changed.connect(self._incidents_changed)
        self.sync_label.clicked.connect(self.open_connection_dialog)
        self.quarantine_label.clicked.connect(self.open_quarantine)
        self.offline_banner.settings_requested.connect(self.open_connection_dialog)

    def _connect_dialogs(self) -> None:
        dialogs = self.dialogs
        dialogs.message.connect(self.show_message)
        dialogs.theme_chosen.connect(self.set_theme)
        dialogs.utc_chosen.connect(self._utc_chosen)
        dialogs.intervals_chosen.connect(self._intervals_chosen)
        dialogs.author_chosen.connect(self.client.set_author)
        dialogs.connection_changed.connect(self._connection_changed)
        dialogs.secret_changed.connect(self._secret_changed)
        dialogs.declared.connect(self.open_incident)
        dialogs.quarantine_closed.connect(self.quarantine_label.refresh)

    # ------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        bar = self.menuBar()
        incident = self._build_incident_menu(bar)
        view = self._build_view_menu(bar)
        self._build_database_menu(bar)

        from incidentdesk.ui.postmortem.menu import PostmortemWindows, install_postmortem

        windows = PostmortemWindows(self.client, lambda: self.command_view.incident_id, self)
        windows.message.connect(self.show_message)
        self.postmortems = install_postmortem(
            windows, incident, view, incident_before=self.settings_action
        )
        self.command_view.timeline.action_item_requested.connect(
            lambda incident, item: self.postmortems.open(incident).show_action_item(item)
        )

        self._build_help_menu(bar)

    def _build_incident_menu(self, bar: QMenuBar) -> QMenu:
        incident = bar.addMenu("&Incident")
        self._add(incident, "&Declare incident…", "Ctrl+N", self.open_declare_dialog)
        self._add(
            incident, "Post stakeholder &update…", "Ctrl+U", self.command_view.open_update_composer
        )
        self._add(incident, "&Quick entry", "Ctrl+L", self.focus_quick_entry)
        self._add(incident, "&Escalation", "Ctrl+Shift+E", self.focus_escalation)
        incident.addSeparator()
        for action in self.command_view.entry_actions():
            incident.addAction(action)
        incident.addSeparator()
        self.settings_action = self._add(incident, "Se&ttings…", "Ctrl+,", self.open_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        incident.addSeparator()
        self._add(incident, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        return incident

    def _build_view_menu(self, bar: QMenuBar) -> QMenu:
        view = bar.addMenu("&View")
        self.view_actions = [
            self._add(
                view, f"&{name}", f"Ctrl+{number}", lambda _c=False, i=number - 1: self.show_view(i)
            )
            for number, name in enumerate(VIEWS, start=1)
        ]
        self._add(view, "&Search the library", "Ctrl+Shift+F", self.search_library)
        view.addSeparator()
        self.closed_action = self._add(
            view,
            "Show &closed incidents",
            "Ctrl+Shift+C",
            self.incident_list.set_show_closed,
            checkable=True,
        )
        self.utc_action = self._add(
            view,
            "Times in &UTC",
            "Ctrl+Shift+U",
            self.command_view.set_utc,
            checkable=True,
        )
        self.command_view.utc_toggled.connect(self.utc_action.setChecked)
        self._add(view, "Status update &reminders…", None, self.edit_reminder_intervals)
        self.themes = ThemeMenu(view.addMenu("&Theme"), self.settings, self)
        self.theme_actions = self.themes.actions
        return view

    def _build_database_menu(self, bar: QMenuBar) -> None:
        database = bar.addMenu("&Database")
        self.connection_action = self._add(
            database, "&Shared database…", None, self.open_connection_dialog
        )
        self.connection_action.setEnabled(self.sync is not None)
        database.addSeparator()
        self._add(database, "Import service &catalog…", None, lambda: self.import_catalog())

    def _build_help_menu(self, bar: QMenuBar) -> None:
        help_menu = bar.addMenu("&Help")
        shortcuts = self._add(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        shortcuts.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        help_menu.addSeparator()
        self._add(help_menu, "Open &log folder", None, self.open_log_folder)
        self._add(help_menu, "Copy &diagnostics", None, self.copy_diagnostics)
        self._add(help_menu, "Events that could not be &read…", None, self.open_quarantine)
        help_menu.addSeparator()
        self._add(help_menu, "&About IncidentDesk", None, self.show_about)

    def _add(
        self, menu: Any, text: str, shortcut: Any, slot: Any, checkable: bool = False
    ) -> QAction:
        action: QAction = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    # ------------------------------------------------------------ loading

    def load(self, incident_id: str | None = None) -> None:
        """Fetch the incident list, then open ``incident_id``, else the last (or most
        urgent) incident."""
        if incident_id is not None:
            self._restored_incident = incident_id

        def first_load(desk: Desk) -> tuple[int, list[dict[str, Any]]]:
            # Where the journal was *before* the rows were read: whatever arrives meanwhile
            # (sync pulls at start) is announced by the feed. No incident has events after
            # sys.maxsize, so this is the one cheap index lookup.
            cursor, _none = desk.incidents.changes_since(sys.maxsize)
            return cursor, desk.incidents.rows(include_closed=True)

        self.client.call(first_load, lambda result: self._first_rows(*result))

    def show_glance(self, glance: Glance) -> None:
        """Paint the last session's incident from the first read, before the Desk is open
        (the first incident list, when it comes, selects it without loading it again)."""
        if self.command_view.incident_id is None and not self.rows_loaded:
            self.command_view.show_glance(glance)

    def open_first(self, incident_id: str) -> None:
        """Open this incident when the first incident list arrives (not the last one open)."""
        self._restored_incident = incident_id

    def _first_rows(self, cursor: int, rows: list[dict[str, Any]]) -> None:
        self.quarantine_label.refresh()
        self._set_rows(rows, lambda: self._open_restored(rows))
        self.client.start_feed(cursor)

    def _open_restored(self, rows: list[dict[str, Any]]) -> None:
        # The incident list has the first rows: open the incident of the last session.
        self.rows_loaded = True
        wanted = self._restored_incident
        if wanted and any(r["id"] == wanted for r in rows):
            if not self.incident_list.select(wanted):  # a closed one: show closed incidents
                self.closed_action.setChecked(True)
                self.incident_list.set_show_closed(True)
                self.incident_list.select(wanted)
        elif rows:
            self.incident_list.select_first()

    def _incidents_changed(self, incident_ids: list[str]) -> None:
        # The open incident first: its new entry is what the commander is waiting to see.
        self.command_view.on_incidents_changed(incident_ids)
        library = self.lazy.library()
        if library is not None:
            library.on_incidents_changed(incident_ids)
        self.client.call(lambda d: d.incidents.rows(include_closed=True), self._set_rows)
        self.quarantine_label.refresh()  # an archive imported meanwhile (sync says its own)

    def _set_rows(
        self, rows: list[dict[str, Any]], then_listed: Callable[[], None] | None = None
    ) -> None:
        # One fetch of the incident rows feeds every view that lists incidents (the one on
        # screen first); ``then_listed`` runs once the incident list has them.
        self.rows_feed.set_rows(rows, then_listed)

    def _incident_selected(self, incident_id: str) -> None:
        if incident_id != self.command_view.incident_id:
            self.command_view.show_incident(incident_id)
            self.settings.setValue("last_incident", incident_id)

    def open_incident(self, incident_id: str) -> None:
        """Select and show an incident in the command view (for example, one just declared)."""
        self.show_view(COMMAND)
        self.client.call(
            lambda d: d.incidents.rows(include_closed=True),
            lambda rows: self._select_after(rows, incident_id),
        )

    def _select_after(self, rows: list[dict[str, Any]], incident_id: str) -> None:
        self._set_rows(rows, lambda: self._select(incident_id))

    def _select(self, incident_id: str) -> None:
        if not self.incident_list.select(incident_id):
            self._incident_selected(incident_id)

    # ------------------------------------------------------------ actions

    def show_view(self, view: int) -> None:
        """Show the command view, the library, the metrics or the catalog (Ctrl+1 … Ctrl+4)."""
        self.views.setCurrentIndex(view)

    def focus_quick_entry(self) -> None:
        """Put the cursor in the command view's quick entry (Ctrl+L)."""
        self.show_view(COMMAND)
        self.command_view.focus_quick_entry()

    def focus_escalation(self) -> None:
        """Put the cursor on the escalation panel's first action (Ctrl+Shift+E)."""
        self.show_view(COMMAND)
        self.command_view.focus_escalation()

    def search_library(self) -> None:
        """Show the library with the cursor in its search box (Ctrl+Shift+F)."""
        self.show_view(LIBRARY)
        self.library.focus_search()

    def import_catalog(self, path: Path | None = None) -> None:
        """Show the catalog and import a file (asked for when ``path`` is None)."""
        self.show_view(CATALOG)
        if path is None:
            self.catalog.choose_file()
        else:
            self.catalog.import_file(path)

    def open_declare_dialog(self) -> DeclareDialog:
        """Open the declare dialog (Ctrl+N)."""
        return self.dialogs.open_declare()

    def edit_reminder_intervals(self) -> ReminderSettingsDialog:
        """Let the user set how often status updates are due, per severity."""
        return self.dialogs.edit_reminders(load_intervals(self.settings))

    def open_settings(self) -> SettingsDialog | None:
        """The profile's settings (Ctrl+,)."""
        location = self._profile_location()
        if location is None:  # a window without a profile (a test of the window alone)
            self.show_message("No profile is open, so there are no settings to change.")
            return None
        return self.dialogs.open_settings(
            location,
            self.themes.choice,
            self.command_view.is_utc(),
            load_intervals(self.settings),
            self.author_override,
        )

    def _profile_location(self) -> ProfileLocation | None:
        return self.location or (ProfileLocation(self.sync.data_dir) if self.sync else None)

    def _utc_chosen(self, utc: bool) -> None:
        self.command_view.set_utc(utc)
        self.settings.setValue("utc", utc)

    def _intervals_chosen(self, intervals: dict[str, Any]) -> None:
        save_intervals(self.settings, intervals)
        self.command_view.set_reminder_intervals(intervals)

    def _secret_changed(self, _name: str) -> None:
        # The sync service reads the password when it connects: start it again.
        if self.sync is not None and self.sync_label.where:
            self.sync.start(connected=True)

    def open_log_folder(self) -> None:
        """Show the log folder in the file manager (Help → Open log folder)."""
        self.dialogs.open_log_folder(self.log_file, self.url_opener)

    def copy_diagnostics(self) -> None:
        """Copy versions, platform, folders, sync state and keyring kind (never a secret)."""
        where = self.location
        folder = where.data_dir if where else (self.sync.data_dir if self.sync else None)
        self.dialogs.copy_window_diagnostics(where, folder, self.log_file, self.sync_label)

    def open_connection_dialog(self) -> ConnectionDialog | None:
        """The shared database settings (Database → Shared database…)."""
        if self.sync is None:
            return None
        return self.dialogs.open_connection(self.sync.data_dir)

    @property
    def _connection_dialog(self) -> ConnectionDialog | None:
        return self.dialogs.connection_dialog

    def _connection_changed(self, url: str | None) -> None:
        self.sync_label.where = url
        if self.sync is not None:
            self.sync.start(connected=url is not None)

    def open_quarantine(self) -> QuarantineDialog:
        """Diagnostics: the events from outside that could not be read."""
        return self.dialogs.open_quarantine()

    def _sync_status(self, status: SyncStatus) -> None:
        # The sync thread counts the rows kept aside in each report: ask the store only when
        # that differs from what is shown (a status made here, "local only", counts none),
        # not twice a round on the way to a new entry.
        if status.quarantined != self.quarantine_label.count:
            self.quarantine_label.refresh()
        self.sync_label.set_status(status)
        self.offline_banner.set_status(status)
        self.lazy.sync_now = status
        library = self.lazy.library()
        if library is not None:
            library.set_sync_status(status)

    def set_theme(self, name: str) -> None:
        """Switch theme and remember the choice."""
        self.themes.set_theme(name)

    def show_message(self, text: str) -> None:
        """Show a message in the status bar for a while."""
        self.statusBar().showMessage(text, 8000)

    def show_shortcuts(self) -> ShortcutsDialog:
        """The keyboard shortcut overview (F1): keys and what they do, in two columns."""
        return self.dialogs.show_shortcuts()

    def show_about(self) -> None:
        """Version and purpose."""
        self.dialogs.show_about()

    # ------------------------------------------------------------ layout memory

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        command_state = self.settings.value("window/command_splitter")
        if isinstance(command_state, QByteArray):
            self.command_view.restore_layout(command_state)
        self.command_view.set_reminder_intervals(load_intervals(self.settings))
        view = str(self.settings.value("window/view", VIEWS[COMMAND]))
        self.show_view(VIEWS.index(view) if view in VIEWS else COMMAND)
        utc = str(self.settings.value("utc", "false")).lower() == "true"
        self.command_view.set_utc(utc)

    def save_layout(self) -> None:
        """Remember the window layout and preferences."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/command_splitter", self.command_view.save_layout())
        self.settings.setValue("window/view", VIEWS[self.views.currentIndex()])
        self.settings.setValue("utc", self.command_view.is_utc())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.dialogs.shutdown()
        if self.sync is not None:
            self.sync.stop()
        if self.courier is not None:
            self.courier.stop()
        super().closeEvent(event)
