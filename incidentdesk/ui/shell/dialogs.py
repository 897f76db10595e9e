"""The main window's dialogs: Declare, Settings (Ctrl+,), Shared database, reminders, the
quarantine, Help's shortcuts, diagnostics and About.

:class:`WindowDialogs` opens them over the window and says what they changed by signals (a
theme, a name, a connection, an incident declared), which the window applies; it holds no
widget of the window's. The dialogs read and write the profile and the keyring off the GUI
thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from incidentdesk import __version__
from incidentdesk.app.profile import ProfileLocation, default_author
from incidentdesk.ui.command.quarantine_view import QuarantineDialog
from incidentdesk.ui.common.client import DeskClient

if TYPE_CHECKING:  # each dialog's module loads when it first opens, not at start
    from incidentdesk.ui.command.declare_dialog import DeclareDialog
    from incidentdesk.ui.command.reminder_settings import ReminderSettingsDialog
    from incidentdesk.ui.settings.connection_dialog import ConnectionDialog
    from incidentdesk.ui.settings.dialog import SettingsDialog
    from incidentdesk.ui.settings.sync_status import SyncStatusLabel
    from incidentdesk.ui.shell.shortcuts import ShortcutsDialog
    from incidentdesk.ui.widgets.diagnostics import SideWorker, Situation


class WindowDialogs(QObject):
    """Opens the window's dialogs over ``window``.

    Args:
        window: the parent of the dialogs.
        client: the Desk, reached through the background worker.
        shared_database_available: whether this window syncs at all (a window without a
            sync, as in tests of the window alone, has no Shared database dialog).

    Signals:
        message(str): something for the status bar.
        theme_chosen(str), utc_chosen(bool), intervals_chosen(object): saved in Settings.
        author_chosen(str): this session now records as this name.
        connection_changed(object): the shared database's URL was saved (str) or removed
            (None): the sync starts again.
        secret_changed(str): a secret was stored or removed in Settings (its name).
        declared(str): an incident was declared (its id).
        quarantine_closed(): the quarantine dialog closed (its count may have changed).
    """

    message = Signal(str)
    theme_chosen = Signal(str)
    utc_chosen = Signal(bool)
    intervals_chosen = Signal(object)
    author_chosen = Signal(str)
    connection_changed = Signal(object)
    secret_changed = Signal(str)
    declared = Signal(str)
    quarantine_closed = Signal()

    def __init__(
        self, window: QWidget, client: DeskClient, shared_database_available: bool
    ) -> None:
        super().__init__(window)
        self._window = window
        self._client = client
        self._shared = shared_database_available
        self.connection_dialog: ConnectionDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self._side: SideWorker | None = None

    def open_declare(self) -> DeclareDialog:
        """The declare dialog, offered the services of the incidents so far."""
        from incidentdesk.ui.command.declare_dialog import DeclareDialog

        dialog = DeclareDialog(self._client, self._window)
        dialog.declared.connect(self.declared)
        dialog.declared.connect(lambda _id: self.message.emit("Incident declared."))
        self._client.call(
            lambda d: _known_services(d.incidents.rows(include_closed=True)), dialog.set_services
        )
        dialog.open()
        return dialog

    def edit_reminders(self, intervals: Mapping[str, timedelta]) -> ReminderSettingsDialog:
        """How often status updates are due, per severity (``intervals_chosen`` on OK)."""
        from incidentdesk.ui.command.reminder_settings import ReminderSettingsDialog

        dialog = ReminderSettingsDialog(dict(intervals), self._window)
        dialog.accepted.connect(lambda: self.intervals_chosen.emit(dialog.intervals()))
        dialog.open()
        return dialog

    def open_quarantine(self) -> QuarantineDialog:
        """Diagnostics: the events from outside that could not be read."""
        dialog = QuarantineDialog(self._client, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.quarantine_closed.emit())
        dialog.open()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        """The keyboard shortcut overview of the window: keys and what they do."""
        from incidentdesk.ui.shell.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self._window, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def show_about(self) -> None:
        """Version and purpose."""
        QMessageBox.about(
            self._window,
            "About IncidentDesk",
            f"IncidentDesk {__version__}\nThe incident commander's desktop.",
        )

    def open_settings(
        self,
        location: ProfileLocation,
        theme: str,
        utc: bool,
        intervals: Mapping[str, timedelta],
        author_override: str | None,
    ) -> SettingsDialog:
        """The profile's settings; what is saved comes back by this object's signals."""
        from incidentdesk.ui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(
            location,
            theme,
            utc,
            intervals,
            author_override,
            shared_database_available=self._shared,
            parent=self._window,
        )
        dialog.theme_chosen.connect(self.theme_chosen)
        dialog.utc_chosen.connect(self.utc_chosen)
        dialog.intervals_chosen.connect(self.intervals_chosen)
        dialog.name_saved.connect(lambda name: self._name_saved(location, name, author_override))
        dialog.shared_database_requested.connect(
            lambda: self._shared_from_settings(location.data_dir, dialog)
        )
        dialog.secret_changed.connect(self.secret_changed)
        dialog.open()
        return dialog

    def _name_saved(self, location: ProfileLocation, name: str, override: str | None) -> None:
        if override:  # --as NAME wins for this session
            self.message.emit(f"Your name is saved; this session records as {override}.")
            return
        author = name or default_author(location.data_dir)
        self.author_chosen.emit(author)
        self.message.emit(f"You now record as {author}.")

    def _shared_from_settings(self, data_dir: Path, settings: SettingsDialog) -> None:
        dialog = self.open_connection(data_dir)
        if dialog is not None:
            dialog.saved.connect(lambda _url, _message: settings.refresh())
            dialog.disconnected.connect(lambda _message: settings.refresh())

    def open_connection(self, data_dir: Path) -> ConnectionDialog | None:
        """The shared database settings (one dialog at a time; None: this window has no
        sync)."""
        if not self._shared:
            return None
        dialog = self.connection_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        if dialog is not None:
            dialog.deleteLater()
        from incidentdesk.ui.settings.connection_dialog import ConnectionDialog  # loads the driver

        dialog = ConnectionDialog(data_dir, self._window)
        dialog.saved.connect(self._connection_saved)
        dialog.disconnected.connect(self._connection_removed)
        self.connection_dialog = dialog
        dialog.open()
        return dialog

    def _connection_saved(self, url: str, message: str) -> None:
        self.message.emit(message)
        self.connection_changed.emit(url)

    def _connection_removed(self, message: str) -> None:
        self.message.emit(message)
        self.connection_changed.emit(None)

    def open_log_folder(self, log_file: Path | None, opener: Callable[[QUrl], bool]) -> None:
        """Show the log folder in the file manager."""
        from incidentdesk.ui.widgets.diagnostics import open_log_folder

        self.message.emit(open_log_folder(log_file, opener))

    def copy_diagnostics(self, situation: Situation) -> None:
        """Copy versions, platform, folders, sync state and keyring kind (never a secret)."""
        from incidentdesk.ui.widgets.diagnostics import SideWorker, copy_diagnostics

        if self._side is None:
            self._side = SideWorker(self)
        copy_diagnostics(
            self._side,
            situation,
            lambda _text: self.message.emit("Diagnostics copied to the clipboard."),
        )

    def copy_window_diagnostics(
        self,
        location: ProfileLocation | None,
        data_dir: Path | None,
        log_file: Path | None,
        sync_label: SyncStatusLabel,
    ) -> None:
        """:meth:`copy_diagnostics` of the window's profile, log and sync state."""
        from PySide6.QtGui import QGuiApplication

        from incidentdesk.ui.widgets.diagnostics import Situation

        situation = Situation(
            location.name if location else "unknown",
            data_dir,
            log_file,
            sync_label.text(),
            sync_label.where,
            QGuiApplication.platformName(),
        )
        self.copy_diagnostics(situation)

    def shutdown(self) -> None:
        """Stop the side worker (the window closes)."""
        if self._side is not None:
            self._side.shutdown()


def _known_services(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({s for r in rows for s in r["services"]}, key=str.casefold)
