"""Settings (Ctrl+,): your name, theme, time display, reminder intervals, the shared
database, and which secrets are set.

Secrets are shown by name and state only — their values are never read into the dialog —
and set, replaced or removed through ``secrets.py``. The dialog reads and writes the keyring
and ``config.toml`` on a side thread (:class:`~incidentdesk.ui.widgets.diagnostics.SideWorker`): a
keyring unlock prompt never freezes the window. ``config.toml`` gets the name only; a secret
typed here goes to the keyring (or this session's memory, and the dialog says so).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.errors import UserError
from incidentdesk.core.incident.severity import SEVERITIES
from incidentdesk.core.text import clean_name
from incidentdesk.infra import logs
from incidentdesk.infra.config import ConfigError, Profile, ProfileLocation, shared_secret_name
from incidentdesk.infra.secrets import (
    KeyringStatus,
    SecretError,
    delete_secret,
    env_name,
    keyring_status,
    secret_is_set,
    set_secret,
)
from incidentdesk.runtime.sync import move_old_shared_secret
from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.shell.theme import THEMES
from incidentdesk.ui.shell.welcome_dialog import save_name, stacked_field
from incidentdesk.ui.widgets.diagnostics import SideWorker
from incidentdesk.ui.widgets.fitting_dialog import FittingDialog
from incidentdesk.ui.widgets.inline_note import InlineError, InlineNote, SuccessNote


class WarningNote(InlineNote):
    """Something to know that is not an error (secrets that will not survive a restart)."""

    color = WARNING_COLOR


# ---------------------------------------------------------------- background steps


@dataclass(frozen=True)
class SecretState:
    """Whether a named secret is set, and where from (never its value)."""

    name: str
    label: str
    is_set: bool
    from_environment: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class SettingsFacts:
    """What the dialog shows that lives outside Qt (read off the GUI thread)."""

    name: str | None = None
    shared_url: str | None = None
    shared_sslmode: str = "prefer"
    keyring: KeyringStatus | None = None
    secrets: list[SecretState] = field(default_factory=list)
    problem: str | None = None


def known_secrets(data_dir: Path) -> list[tuple[str, str]]:
    """The named secrets this profile uses, each with what it is for."""
    move_old_shared_secret(data_dir)  # keyring: this runs off the GUI thread
    return [(shared_secret_name(data_dir), "Shared database password")]


def secret_state(name: str, label: str) -> SecretState:
    """Whether ``name`` is set (keyring call: off the GUI thread)."""
    try:
        is_set = secret_is_set(name)
    except SecretError as exc:
        return SecretState(name, label, False, problem=str(exc))
    return SecretState(name, label, is_set, bool(os.environ.get(env_name(name))))


def read_facts(data_dir: Path) -> SettingsFacts:
    """The profile and the keyring's state."""
    problem = None
    try:
        profile = Profile.load(data_dir)
    except ConfigError as exc:
        profile, problem = Profile(data_dir), str(exc)
    try:
        rows = [secret_state(name, label) for name, label in known_secrets(data_dir)]
    except (ConfigError, SecretError) as exc:
        rows, problem = [], str(exc)
    return SettingsFacts(
        profile.name,
        profile.shared_url,
        profile.shared_sslmode,
        keyring_status(),
        rows,
        problem,
    )


def store_secret(name: str, label: str, value: str) -> tuple[SecretState, str]:
    """Keep a secret; returns its new state and where it went."""
    logs.redact_value(value)  # before anything could log it
    persistent = set_secret(name, value)
    where = (
        "stored in the system keyring"
        if persistent
        else "kept for this session only (no usable keyring)"
    )
    return secret_state(name, label), f"{label}: {where}."


def remove_secret(name: str, label: str) -> tuple[SecretState, str]:
    """Forget a secret (the environment is left alone)."""
    delete_secret(name)
    return secret_state(name, label), f"{label}: removed."


# ---------------------------------------------------------------- one secret's row


class SecretRow(QWidget):
    """A named secret: its state, Set/Replace and Remove, and a password field to type it.

    Signals:
        store_requested(str, str): the name and the typed value.
        remove_requested(str): the name.
    """

    store_requested = Signal(str, str)
    remove_requested = Signal(str)

    def __init__(self, state: SecretState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.title = QLabel(state.label)
        self.name_label = QLabel(
            f"Secret “{state.name}”, or {env_name(state.name)} in the environment"
        )
        self.name_label.setProperty("muted", True)
        self.name_label.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.set_button = QPushButton()
        self.set_button.setAutoDefault(False)
        self.set_button.clicked.connect(self.start_editing)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setAccessibleName(f"Remove {state.label}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.state.name))

        self.value_edit = QLineEdit()
        self.value_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.value_edit.setAccessibleName(f"New value of {state.label}")
        self.value_edit.setPlaceholderText("The new value (hidden as you type)")
        self.value_edit.returnPressed.connect(self._store)
        self.store_button = QPushButton("Store")
        self.store_button.setAutoDefault(False)
        self.store_button.clicked.connect(self._store)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.stop_editing)
        self.editor = QWidget()
        editor_row = QHBoxLayout(self.editor)
        editor_row.setContentsMargins(0, 0, 0, 0)
        editor_row.addWidget(self.value_edit, 1)
        editor_row.addWidget(self.store_button)
        editor_row.addWidget(self.cancel_button)
        self.editor.hide()
        self.error = InlineError()

        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        top.addWidget(self.title)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.set_button)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.name_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        self.set_state(state)

    def set_state(self, state: SecretState) -> None:
        """Show a new state."""
        self.state = state
        if state.problem:
            text = "unknown: the keyring did not answer"
        elif state.from_environment:
            text = f"set in the environment ({env_name(state.name)}), which is used first"
        else:
            text = "set" if state.is_set else "not set"
        self.state_label.setText(f"— {text}")
        self.error.show_message(state.problem or "")
        verb = "Replace…" if state.is_set else "Set…"
        self.set_button.setText(verb)
        self.set_button.setAccessibleName(f"{verb.rstrip('…')} {state.label}")
        # Hidden rather than disabled: only a stored secret can be removed from here.
        self.remove_button.setVisible(state.is_set and not state.from_environment)

    def start_editing(self) -> None:
        """Show the password field, focused."""
        self.error.clear_message()
        self.editor.show()
        self.value_edit.setFocus()

    def stop_editing(self) -> None:
        """Hide the password field and forget what was typed."""
        self.value_edit.clear()
        self.editor.hide()

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while the keyring works."""
        for button in (self.set_button, self.store_button, self.cancel_button):
            button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy)

    def _store(self) -> None:
        value = self.value_edit.text()
        if not value:
            self.error.show_message("Type the secret first; an empty one is not stored.")
            return
        self.store_requested.emit(self.state.name, value)


# ---------------------------------------------------------------- the dialog


class SettingsDialog(FittingDialog):
    """The profile's settings.

    Args:
        location: the profile (its folder holds ``config.toml``).
        theme: the theme choice in effect (``system``, ``light`` or ``dark``).
        utc: whether times show in UTC.
        intervals: the status update intervals in effect.
        author_override: the name given with ``--as`` for this session, if any.
        shared_database_available: whether the window can open the Shared database dialog.

    Signals:
        theme_chosen(str), utc_chosen(bool), intervals_chosen(object): saved with Save.
        name_saved(str): the name was written to the profile ("" when cleared).
        shared_database_requested(): open the Shared database dialog.
        secret_changed(str): a secret was stored or removed (its name).
        ready(): the profile and the keyring's state were read.
        finished_step(): a secret was stored or removed, or the save finished.
    """

    theme_chosen = Signal(str)
    utc_chosen = Signal(bool)
    intervals_chosen = Signal(object)
    name_saved = Signal(str)
    shared_database_requested = Signal()
    secret_changed = Signal(str)
    ready = Signal()
    finished_step = Signal()

    def __init__(
        self,
        location: ProfileLocation,
        theme: str,
        utc: bool,
        intervals: Mapping[str, timedelta],
        author_override: str | None = None,
        shared_database_available: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.facts: SettingsFacts | None = None
        self._side = SideWorker(self)
        self._busy = False
        self.rows: dict[str, SecretRow] = {}
        title = "Settings" if location.is_default else f"Settings — profile {location.name}"
        self.setWindowTitle(title)
        self.setMinimumWidth(640)

        # You
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText(Profile(location.data_dir).author())
        self.name_edit.setEnabled(False)  # until the profile is read
        override = f" This session records as {author_override} (--as)." if author_override else ""
        self.name_note = QLabel(
            f"The author of what you write, from now on; empty: your computer user name.{override}"
        )
        self.name_note.setWordWrap(True)
        self.name_note.setProperty("muted", True)
        self.name_error = InlineError()
        self.name_edit.textEdited.connect(lambda _t: self.name_error.clear_message())
        you = QGroupBox("You")
        you_form = QFormLayout(you)
        you_form.addRow(
            "Your &name", stacked_field(self.name_edit, self.name_note, self.name_error)
        )

        # Display
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Theme")
        for name in THEMES:
            self.theme_combo.addItem(
                "Follow the system" if name == "system" else name.capitalize(), name
            )
        self.theme_combo.setCurrentIndex(THEMES.index(theme) if theme in THEMES else 0)
        self.local_radio = QRadioButton("&Local time (UTC on hover)")
        self.utc_radio = QRadioButton("&UTC")
        self.time_group = QButtonGroup(self)
        self.time_group.addButton(self.local_radio)
        self.time_group.addButton(self.utc_radio)
        (self.utc_radio if utc else self.local_radio).setChecked(True)
        times = QHBoxLayout()
        times.addWidget(self.local_radio)
        times.addWidget(self.utc_radio)
        times.addStretch(1)
        display = QGroupBox("Display")
        display_form = QFormLayout(display)
        display_form.addRow("&Theme", self.theme_combo)
        display_form.addRow("Times", times)

        # Reminders: the same storage as View → Status update reminders…
        reminders = QGroupBox("Status update reminders")
        grid = QGridLayout(reminders)
        intro = QLabel("How often the commander is reminded to post a status update.")
        intro.setWordWrap(True)
        intro.setProperty("muted", True)
        grid.addWidget(intro, 0, 0, 1, len(SEVERITIES))
        self.spins: dict[str, QSpinBox] = {}
        for column, sev in enumerate(SEVERITIES):
            spin = QSpinBox()
            spin.setRange(0, 24 * 60)
            spin.setSingleStep(5)
            spin.setSuffix(" min")
            spin.setSpecialValueText("never")
            interval = intervals.get(sev.code)
            spin.setValue(int(interval.total_seconds() // 60) if interval else 0)
            spin.setAccessibleName(f"{sev.code} update interval")
            spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("1440 min") + 40)
            label = QLabel(sev.code)
            label.setBuddy(spin)
            grid.addWidget(label, 1, column)
            grid.addWidget(spin, 2, column)
            self.spins[sev.code] = spin

        # Shared database
        self.shared_label = QLabel("Reading the profile…")
        self.shared_label.setWordWrap(True)
        self.shared_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shared_button = QPushButton("Shared &database…")
        self.shared_button.setAutoDefault(False)
        self.shared_button.setEnabled(shared_database_available)
        self.shared_button.clicked.connect(self.shared_database_requested)
        shared = QGroupBox("Shared database")
        shared_row = QHBoxLayout(shared)
        shared_row.addWidget(self.shared_label, 1)
        shared_row.addWidget(self.shared_button)

        # Secrets
        self.keyring_label = QLabel("Checking the system keyring…")
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setProperty("muted", True)
        self.keyring_warning = WarningNote()
        self.secret_rows = QVBoxLayout()
        self.secret_rows.setSpacing(8)
        self.secret_done = SuccessNote()
        secrets_box = QGroupBox("Secrets")
        secrets_layout = QVBoxLayout(secrets_box)
        secrets_layout.addWidget(self.keyring_label)
        secrets_layout.addWidget(self.keyring_warning)
        secrets_layout.addLayout(self.secret_rows)
        secrets_layout.addWidget(self.secret_done)

        self.problem = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the profile is read
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for box in (you, display, reminders, shared, secrets_box):
            layout.addWidget(box)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        data_dir = location.data_dir
        self._side.run(lambda: read_facts(data_dir), self._loaded, self._failed)

    # ------------------------------------------------------------ results

    def refresh(self) -> None:
        """Read the profile and the keyring again (after the Shared database dialog)."""
        data_dir = self.location.data_dir
        self._side.run(lambda: read_facts(data_dir), self._refreshed, self._failed)

    def _loaded(self, facts: SettingsFacts) -> None:
        if facts.name and not self.name_edit.text():
            self.name_edit.setText(facts.name)
        self.name_edit.setEnabled(True)
        self.save_button.setEnabled(True)
        self._refreshed(facts)
        self.ready.emit()

    def _refreshed(self, facts: SettingsFacts) -> None:
        self.facts = facts
        if facts.shared_url:
            self.shared_label.setText(f"{facts.shared_url}\n(sslmode {facts.shared_sslmode})")
        else:
            self.shared_label.setText("None: this computer works on its own.")
        status = facts.keyring
        if status is not None:
            if status.persistent:
                self.keyring_label.setText(status.description)
                self.keyring_warning.clear_message()
            else:
                self.keyring_label.setText("")
                self.keyring_label.hide()
                self.keyring_warning.show_message(status.description)
        for state in facts.secrets:
            row = self.rows.get(state.name)
            if row is None:
                row = SecretRow(state, self)
                row.store_requested.connect(self._store)
                row.remove_requested.connect(self._remove)
                self.rows[state.name] = row
                self.secret_rows.addWidget(row)
                row.show()  # now, not at the layout's queued show: it can be used at once
            else:
                row.set_state(state)
        self.problem.show_message(facts.problem or "")

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.name_edit.setEnabled(True)
        self.save_button.setEnabled(True)
        self.problem.show_message(str(error) if isinstance(error, UserError) else repr(error))
        self.finished_step.emit()

    # ------------------------------------------------------------ secrets

    def _store(self, name: str, value: str) -> None:
        row = self.rows[name]
        label = row.state.label
        row.set_busy(True)
        self.secret_done.clear_message()
        self._side.run(
            lambda: store_secret(name, label, value),
            lambda result: self._secret_done(row, *result),
            lambda error: self._secret_failed(row, error),
        )
        row.value_edit.clear()  # the value lives on in the background step only

    def _remove(self, name: str) -> None:
        row = self.rows[name]
        label = row.state.label
        row.set_busy(True)
        self.secret_done.clear_message()
        self._side.run(
            lambda: remove_secret(name, label),
            lambda result: self._secret_done(row, *result),
            lambda error: self._secret_failed(row, error),
        )

    def _secret_done(self, row: SecretRow, state: SecretState, message: str) -> None:
        row.stop_editing()
        row.set_state(state)
        row.set_busy(False)
        self.secret_done.show_message(message)
        self.secret_changed.emit(state.name)
        self.finished_step.emit()

    def _secret_failed(self, row: SecretRow, error: BaseException) -> None:
        row.set_busy(False)
        row.error.show_message(str(error) if isinstance(error, UserError) else repr(error))
        self.finished_step.emit()

    # ------------------------------------------------------------ save

    def theme(self) -> str:
        """The theme chosen."""
        return str(self.theme_combo.currentData())

    def intervals(self) -> dict[str, timedelta]:
        """The reminder intervals as set."""
        return {
            code: timedelta(minutes=spin.value())
            for code, spin in self.spins.items()
            if spin.value()
        }

    def save(self) -> None:
        """Apply the display settings, save the name (in the background), then close."""
        if self._busy or self.facts is None:
            return
        typed = self.name_edit.text().strip()
        try:
            name = clean_name(typed, "name") if typed else None
        except UserError as exc:
            self.name_error.show_message(str(exc))
            self.name_edit.setFocus()
            return
        self.theme_chosen.emit(self.theme())
        self.utc_chosen.emit(self.utc_radio.isChecked())
        self.intervals_chosen.emit(self.intervals())
        if name == self.facts.name:
            self.finished_step.emit()
            self.accept()
            return
        self._busy = True
        self.save_button.setEnabled(False)
        data_dir = self.location.data_dir
        self._side.run(
            lambda: save_name(data_dir, name), lambda _none: self._saved(name), self._failed
        )

    def _saved(self, name: str | None) -> None:
        self._busy = False
        self.name_saved.emit(name or "")
        self.finished_step.emit()
        self.accept()

    def done(self, result: int) -> None:
        self._side.shutdown()
        super().done(result)
