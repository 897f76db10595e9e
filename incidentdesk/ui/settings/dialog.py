"""Settings (Ctrl+,): your name, theme, time display, reminder intervals, the shared
database, and which secrets are set.

Secrets are shown by name and state only — their values are never read into the dialog —
and set, replaced or removed through :mod:`incidentdesk.app.profile`, on a side thread
(:class:`~incidentdesk.ui.widgets.diagnostics.SideWorker`): a keyring unlock prompt never
freezes the window. ``config.toml`` gets the name only; a secret typed here goes to the
keyring (or this session's memory, and the dialog says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

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

from incidentdesk.app.profile import (
    ProfileLocation,
    SecretState,
    SettingsFacts,
    default_author,
    read_facts,
    remove_secret,
    save_name,
    store_secret,
)
from incidentdesk.core.errors import UserError
from incidentdesk.core.incident.severity import SEVERITIES
from incidentdesk.core.text import clean_name
from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.settings.secret_row import SecretRow
from incidentdesk.ui.shell.theme import THEMES
from incidentdesk.ui.shell.welcome_dialog import stacked_field
from incidentdesk.ui.widgets.diagnostics import SideWorker
from incidentdesk.ui.widgets.fitting_dialog import FittingDialog
from incidentdesk.ui.widgets.inline_note import InlineError, InlineNote, SuccessNote


class WarningNote(InlineNote):
    """Something to know that is not an error (secrets that will not survive a restart)."""

    color = WARNING_COLOR


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
        boxes = (
            self._you_box(location, author_override),
            self._display_box(theme, utc),
            self._reminders_box(intervals),
            self._shared_box(shared_database_available),
            self._secrets_box(),
        )
        self.problem = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the profile is read
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for box in boxes:
            layout.addWidget(box)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        data_dir = location.data_dir
        self._side.run(lambda: read_facts(data_dir), self._loaded, self._failed)

    def _you_box(self, location: ProfileLocation, author_override: str | None) -> QGroupBox:
        """You: the name entries are recorded under."""
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText(default_author(location.data_dir))
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
        return you

    def _display_box(self, theme: str, utc: bool) -> QGroupBox:
        """Display: the theme and how times show."""
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
        return display

    def _reminders_box(self, intervals: Mapping[str, timedelta]) -> QGroupBox:
        """Reminders: the same storage as View → Status update reminders…"""
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
        return reminders

    def _shared_box(self, available: bool) -> QGroupBox:
        """The shared database this profile syncs with, and the button to its dialog."""
        self.shared_label = QLabel("Reading the profile…")
        self.shared_label.setWordWrap(True)
        self.shared_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shared_button = QPushButton("Shared &database…")
        self.shared_button.setAutoDefault(False)
        self.shared_button.setEnabled(available)
        self.shared_button.clicked.connect(self.shared_database_requested)
        shared = QGroupBox("Shared database")
        shared_row = QHBoxLayout(shared)
        shared_row.addWidget(self.shared_label, 1)
        shared_row.addWidget(self.shared_button)
        return shared

    def _secrets_box(self) -> QGroupBox:
        """Which secrets are set (their rows arrive with the profile's facts)."""
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
        return secrets_box

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
