"""The "Shared database" dialog: where the server is, TLS, the password; test, save, forget.

The profile (``config.toml``) keeps the URL and TLS settings, never the password; the password
goes to the system keyring (or, with no usable keyring, this session's memory, and the dialog
says so). Every keyring, file and network call runs on a background thread: a keyring unlock
prompt or a server that does not answer never freezes the window. Refusals are shown next to
the field they concern, and what the user typed stays.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.app.connection import (
    Outcome,
    Setup,
    SharedConfig,
    SharedError,
    check_connection,
    forget_connection,
    load_setup,
    save_connection,
    stored_secret_name,
)
from incidentdesk.app.profile import SHARED_SECRET, env_name
from incidentdesk.ui.widgets.fitting_dialog import FittingDialog
from incidentdesk.ui.widgets.inline_note import InlineError, SuccessNote

T = TypeVar("T")
log = logging.getLogger(__name__)

# The libpq sslmodes (the same list the shared store accepts), each with what it means.
SSL_MODE_NOTES: dict[str, str] = {
    "disable": "No encryption.",
    "allow": "Encrypts only when the server insists.",
    "prefer": "Encrypts when the server can; the certificate is not checked.",
    "require": "Always encrypts; the certificate is not checked.",
    "verify-ca": "Always encrypts; checks the certificate against the root certificate.",
    "verify-full": "Always encrypts; checks the certificate and the server's name (safest).",
}
SSL_MODES = tuple(SSL_MODE_NOTES)


class BackgroundSteps(QObject):
    """Runs the dialog's steps one at a time on a background thread; results come back to
    the GUI thread. A result for a dialog that is gone is dropped.

    Unparented on purpose: Python owns it, and the pending step holds it, so it outlives a
    dialog closed while a connection attempt is still waiting for its timeout.
    """

    _finished = Signal(object)

    def __init__(self, owner: QObject) -> None:
        super().__init__()
        self._owner = owner
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incidentdesk-conn")
        # Queued even when a step ends before its callback is attached (then the callback
        # runs on this thread): results always arrive from the event loop, never mid-call.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, step: Callable[[], T], on_done: Callable[[T], None]) -> None:
        """Run ``step()`` in the background, then ``on_done(result)`` on the GUI thread."""
        future = self._pool.submit(step)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Any], None]]) -> None:
        future, on_done = item
        if future.cancelled() or not shiboken6.isValid(self._owner):
            return
        error = future.exception()
        if error is not None:  # a bug: the steps return refusals as Outcomes
            log.error("connection dialog step failed", exc_info=error)
            on_done(Outcome(False, f"Something went wrong ({type(error).__name__}: {error})."))
            return
        on_done(future.result())

    def shutdown(self) -> None:
        """Stop taking steps; one still running finishes on its own (not waited for)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------- the dialog


class ConnectionDialog(FittingDialog):
    """Connect this workstation to a shared PostgreSQL database, test it, or disconnect.

    Args:
        data_dir: the profile folder (its ``config.toml`` is read and written off the GUI
            thread).
        parent: the owning window.

    Signals:
        saved(str, str): the connection was saved: its URL, and a message saying where the
            password went. The sync service should restart.
        disconnected(str): the connection and its password were removed.
        ready(): the saved settings and the keyring's state were loaded.
        finished_step(): a test, save or disconnect finished (for tests and screenshots).
    """

    saved = Signal(str, str)
    disconnected = Signal(str)
    ready = Signal()
    finished_step = Signal()

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle("Shared database")
        self.setMinimumWidth(680)
        self._steps = BackgroundSteps(self)
        self._busy = False
        self.setup: Setup | None = None

        intro = QLabel(
            "Workstations connected to one PostgreSQL database see each other's entries live. "
            "Each keeps working on its own file when the database cannot be reached."
        )
        intro.setWordWrap(True)
        form = self._form()
        self.result_ok = SuccessNote()
        self.result_error = InlineError()
        actions = self._actions()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.result_ok)
        layout.addWidget(self.result_error)
        layout.addStretch(1)
        layout.addLayout(actions)

        self._set_busy(True)
        self._steps.run(lambda: load_setup(data_dir), self._loaded)
        self.url_edit.setFocus()

    def _form(self) -> QFormLayout:
        """The fields: URL, TLS mode, root certificate, password, each with its notes."""
        self._fields()
        rootcert_row = QHBoxLayout()
        rootcert_row.setContentsMargins(0, 0, 0, 0)
        rootcert_row.addWidget(self.rootcert_edit, 1)
        rootcert_row.addWidget(self.rootcert_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&URL", _stack(self.url_edit, self.url_edit, self.url_error))
        sslmode_row = QHBoxLayout()
        sslmode_row.setContentsMargins(0, 0, 0, 0)
        sslmode_row.addWidget(self.sslmode_combo)
        sslmode_row.addWidget(self.sslmode_note, 1)
        form.addRow("T&LS (sslmode)", _stack(self.sslmode_combo, sslmode_row))
        form.addRow(
            "&Root certificate", _stack(self.rootcert_edit, rootcert_row, self.rootcert_error)
        )
        form.addRow(
            "&Password",
            _stack(self.password_edit, self.password_edit, self.password_note, self.password_error),
        )
        return form

    def _fields(self) -> None:
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("postgresql://USER@HOST[:PORT]/DB")
        self.url_edit.setAccessibleName("Database URL")
        self.url_edit.setToolTip("Without the password: it goes in the field below.")
        self.url_error = InlineError()

        self.sslmode_combo = QComboBox()
        self.sslmode_combo.setAccessibleName("TLS mode (sslmode)")
        for mode, note in SSL_MODE_NOTES.items():
            self.sslmode_combo.addItem(mode)
            self.sslmode_combo.setItemData(
                self.sslmode_combo.count() - 1, note, Qt.ItemDataRole.ToolTipRole
            )
        self.sslmode_note = QLabel()
        self.sslmode_note.setWordWrap(True)
        self.sslmode_note.setProperty("muted", True)
        self.sslmode_combo.currentTextChanged.connect(self._sslmode_changed)
        self.sslmode_combo.setCurrentText("prefer")
        self._sslmode_changed("prefer")

        self.rootcert_edit = QLineEdit()
        self.rootcert_edit.setPlaceholderText("CA certificate (.crt, .pem) for verify-ca/full")
        self.rootcert_edit.setAccessibleName("Root certificate file")
        self.rootcert_button = QPushButton("Browse…")
        self.rootcert_button.setAutoDefault(False)
        self.rootcert_button.clicked.connect(self._browse_rootcert)
        self.rootcert_error = InlineError()

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_note = QLabel("Checking the system keyring…")
        self.password_note.setWordWrap(True)
        self.password_note.setProperty("muted", True)
        self.password_error = InlineError()

        for edit, error in (
            (self.url_edit, self.url_error),
            (self.rootcert_edit, self.rootcert_error),
            (self.password_edit, self.password_error),
        ):
            edit.textEdited.connect(lambda _t, e=error: self._edited(e))
        self.url_edit.textEdited.connect(lambda _t: self._update_password_hint())

    def _actions(self) -> QHBoxLayout:
        """Test connection, Disconnect, then Save and Close."""
        self.test_button = QPushButton("&Test connection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test)
        self.disconnect_button = QPushButton("&Disconnect")
        self.disconnect_button.setAutoDefault(False)
        self.disconnect_button.setToolTip(
            "Forget the shared database and its password; this workstation then works locally"
        )
        self.disconnect_button.clicked.connect(self.disconnect_database)
        self.disconnect_button.setEnabled(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addWidget(self.disconnect_button)
        actions.addStretch(1)
        actions.addWidget(self.buttons)
        return actions

    # ----------------------------------------------------------------- steps

    def test(self) -> None:
        """Test the connection with what the form says (in the background)."""
        config = self._read()
        if config is None or self._busy:
            return
        password = self.password_edit.text() or None
        use_stored = self._same_server(config)
        self._set_busy(True, self.test_button, "Testing…")
        data_dir = self.data_dir
        self._steps.run(
            lambda: check_connection(config, password, use_stored, stored_secret_name(data_dir)),
            self._tested,
        )

    def save(self) -> None:
        """Save the connection (and the password, in the keyring), then close."""
        config = self._read()
        if config is None or self._busy:
            return
        password = self.password_edit.text() or None
        same = self._same_server(config)
        data_dir = self.data_dir
        self._set_busy(True, self.save_button, "Saving…")
        self._steps.run(
            lambda: save_connection(data_dir, config, password, same),
            lambda outcome: self._saved(config.url, outcome),
        )

    def disconnect_database(self) -> None:
        """Forget the shared database and its password."""
        if self._busy:
            return
        self._clear_results()
        data_dir = self.data_dir
        self._set_busy(True, self.disconnect_button, "Disconnecting…")
        self._steps.run(lambda: forget_connection(data_dir), self._disconnected)

    # ----------------------------------------------------------------- results

    def _loaded(self, setup: Setup) -> None:
        self.setup = setup
        self._set_busy(False)
        if setup.url and not self.url_edit.text():
            self.url_edit.setText(setup.url)
        if setup.sslmode in SSL_MODE_NOTES:
            self.sslmode_combo.setCurrentText(setup.sslmode)
        if setup.sslrootcert and not self.rootcert_edit.text():
            self.rootcert_edit.setText(setup.sslrootcert)
        self.disconnect_button.setEnabled(bool(setup.url))
        self._update_password_hint()
        if setup.problem:
            self.result_error.show_message(setup.problem)
        self.ready.emit()

    def _tested(self, outcome: Outcome) -> None:
        self._set_busy(False)
        self._show(outcome)
        self.finished_step.emit()

    def _saved(self, url: str, outcome: Outcome) -> None:
        self._set_busy(False)
        self._show(outcome)
        self.finished_step.emit()
        if outcome.ok:
            self.password_edit.clear()
            self.saved.emit(url, outcome.message)
            self.accept()

    def _disconnected(self, outcome: Outcome) -> None:
        self._set_busy(False)
        self._show(outcome)
        if outcome.ok:
            self.password_edit.clear()
            self.disconnect_button.setEnabled(False)
            if self.setup is not None:
                self.setup = dataclasses.replace(
                    self.setup, url=None, sslrootcert=None, password_stored=False
                )
            self._update_password_hint()
            self.disconnected.emit(outcome.message)
        self.finished_step.emit()

    def _show(self, outcome: Outcome) -> None:
        self._clear_results()
        if outcome.ok:
            self.result_ok.show_message(outcome.message)
            return
        target = {
            "url": (self.url_error, self.url_edit),
            "sslrootcert": (self.rootcert_error, self.rootcert_edit),
            "password": (self.password_error, self.password_edit),
        }.get(outcome.field or "")
        if target is None:
            self.result_error.show_message(outcome.message)
        else:
            target[0].show_message(outcome.message)
            target[1].setFocus()

    # ----------------------------------------------------------------- internals

    def _read(self) -> SharedConfig | None:
        """The form as a connection (a pure check, no I/O); None after saying what is wrong."""
        self._clear_results()
        url = self.url_edit.text()
        rootcert = self.rootcert_edit.text().strip()
        try:
            if urlsplit(url.strip()).password:  # say where it goes instead
                raise SharedError(
                    "Do not put the password in the URL (it would be stored in the config "
                    "file); type it in the Password field."
                )
            return SharedConfig.parse(
                url,
                self.sslmode_combo.currentText(),
                str(Path(rootcert).expanduser()) if rootcert else None,
            )
        except (SharedError, ValueError) as exc:  # ValueError: urlsplit gave up (a bad [host])
            message = str(exc) if isinstance(exc, SharedError) else f"'{url}' is not a URL: {exc}."
            self.url_error.show_message(message)
            self.url_edit.setFocus()
            return None

    def _same_server(self, config: SharedConfig) -> bool:
        return self.setup is not None and self.setup.url == config.url

    def _update_password_hint(self) -> None:
        setup = self.setup
        if setup is None or setup.keyring is None:
            return
        if setup.keyring.persistent:
            where = f"The password is kept in the system keyring ({setup.keyring.backend})."
        else:
            where = (
                "No usable keyring: the password is kept for this session only and must be "
                "entered again after a restart."
            )
        if setup.password_from_env:
            where += (
                f" {env_name(SHARED_SECRET)} is set in the environment; it is"
                " used before the "
                "keyring."
            )
        self.password_note.setText(where)
        try:
            same = SharedConfig.parse(self.url_edit.text()).url == setup.url
        except (SharedError, ValueError):
            same = False
        stored = setup.password_stored and same
        self.password_edit.setPlaceholderText(
            "A password is stored — leave empty to keep it" if stored else ""
        )

    def _sslmode_changed(self, mode: str) -> None:
        self.sslmode_note.setText(SSL_MODE_NOTES.get(mode, ""))

    def _browse_rootcert(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Root certificate of the shared database",
            self.rootcert_edit.text() or str(Path.home()),
            "Certificates (*.crt *.pem *.cer);;All files (*)",
        )
        if path:
            self.rootcert_edit.setText(path)
            self.rootcert_error.clear_message()

    def _edited(self, error: InlineError) -> None:
        error.clear_message()
        self.result_ok.show_message("")

    def _clear_results(self) -> None:
        for error in (self.url_error, self.rootcert_error, self.password_error, self.result_error):
            error.clear_message()
        self.result_ok.show_message("")

    def _set_busy(
        self, busy: bool, button: QPushButton | None = None, text: str | None = None
    ) -> None:
        self._busy = busy
        for each, label in (
            (self.test_button, "&Test connection"),
            (self.save_button, "&Save"),
            (self.disconnect_button, "&Disconnect"),
        ):
            each.setText(text if busy and each is button and text else label)
        self.test_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        if busy:
            self.disconnect_button.setEnabled(False)
        else:
            self.disconnect_button.setEnabled(bool(self.setup and self.setup.url))

    def done(self, result: int) -> None:
        # Closing stops taking new steps; one in flight finishes without waiting for it.
        self._steps.shutdown()
        super().done(result)


def _stack(focus: QWidget, *items: QWidget | QHBoxLayout) -> QWidget:
    """A form field made of several rows; its label's shortcut focuses ``focus``."""
    box = QWidget()
    box.setFocusProxy(focus)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    for item in items:
        if isinstance(item, QWidget):
            layout.addWidget(item)
        else:
            layout.addLayout(item)
    return box
