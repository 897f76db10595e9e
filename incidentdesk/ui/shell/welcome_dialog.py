"""First start: the welcome dialog of a new profile, and the profile chooser.

The welcome dialog appears while a profile has no database yet (its first start) and offers
the ways to begin: work on this computer, connect to a shared database (the Shared database
dialog, with Test connection), import a service catalog (the file is checked here, off the
GUI thread, and imported once the window has opened the database), or open the demo incident.
Once the app has opened the profile its database exists, and the dialog never shows again.

The chooser appears at start when named profiles exist and none was named on the command
line (``--profile`` or ``INCIDENTDESK_PROFILE``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.app.profile import (
    DEFAULT_PROFILE,
    ConfigError,
    ProfileLocation,
    check_profile_name,
    save_name,
)
from incidentdesk.core.errors import UserError
from incidentdesk.core.text import clean_name
from incidentdesk.ui.widgets.diagnostics import SideWorker
from incidentdesk.ui.widgets.inline_note import InlineError

LOCAL, SHARED, DEMO, CATALOG = "local", "shared", "demo", "catalog"


def stacked_field(focus: QWidget, *below: QWidget) -> QWidget:
    """A form field with its notes right under it; the row's label focuses ``focus``."""
    box = QWidget()
    box.setFocusProxy(focus)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    for widget in (focus, *below):
        layout.addWidget(widget)
    return box


class WelcomeDialog(QDialog):
    """How to start with a new profile.

    Args:
        location: the new profile.
        default_name: the name entries get when none is typed (the computer's user name).
        parent: none at start (the main window does not exist yet).

    Signals:
        chosen(str): ``local``, ``shared``, ``demo`` or ``catalog`` (then ``catalog_file``
            is the checked catalog file to import); the name is saved by then. The dialog
            closes right after, so the receiver opens the main window first.
    """

    chosen = Signal(str)

    def __init__(
        self, location: ProfileLocation, default_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.location = location
        self._default_name = default_name
        self._side = SideWorker(self)
        self._busy = False
        self.connection_dialog: QDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.catalog_file: Path | None = None
        self.setWindowTitle("Welcome to IncidentDesk")
        self.setMinimumWidth(560)

        heading = QLabel("Welcome to IncidentDesk")
        heading.setObjectName("WelcomeHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        which = (
            "This computer has no incident data yet."
            if location.is_default
            else f"The profile “{location.name}” is new: it has no incident data yet."
        )
        self.intro = QLabel(f"{which} How would you like to start?")
        self.intro.setWordWrap(True)
        form = self._name_form(default_name)
        self._choices()
        self.error = InlineError()

        quit_box = QDialogButtonBox()
        self.quit_button = QPushButton("&Quit")
        self.quit_button.setAutoDefault(False)
        quit_box.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        quit_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addSpacing(4)
        for button in (self.local_button, self.shared_button, self.catalog_button):
            layout.addWidget(button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(quit_box)
        self.local_button.setDefault(True)
        self.local_button.setFocus()

    def _name_form(self, default_name: str) -> QFormLayout:
        """Your name, with what it is for."""
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(default_name)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setToolTip("Recorded as the author of what you write")
        name_note = QLabel(
            f"Shown as the author of what you write; empty: “{default_name}”. "
            "Settings (Ctrl+,) changes it later."
        )
        name_note.setWordWrap(True)
        name_note.setProperty("muted", True)
        self.name_error = InlineError()
        self.name_edit.textEdited.connect(lambda _t: self.name_error.clear_message())
        form = QFormLayout()
        form.addRow("Your &name", stacked_field(self.name_edit, name_note, self.name_error))
        return form

    def _choices(self) -> None:
        """The four ways to begin."""
        self.local_button = self._choice(
            "Work on this computer",
            "Incidents are kept in a database file on this computer. You can connect to a "
            "shared database later (Database → Shared database…).",
        )
        self.shared_button = self._choice(
            "Connect to a shared database",
            "Work together with other workstations through a PostgreSQL server. You need its "
            "address and a password; Test connection checks them before anything is saved.",
        )
        self.catalog_button = self._choice(
            "Import a service catalog",
            "Start from the catalog your teams keep in git (a TOML catalog or a Backstage "
            "catalog-info.yaml): who owns each service and how to page them.",
        )
        self.demo_button = self._choice(
            "Open the demo incident",
            "Explore a realistic SEV2 with roles, a handover and three hours of timeline. It is "
            "marked as a drill, so it stays out of the metrics.",
        )
        self.local_button.clicked.connect(lambda: self.choose(LOCAL))
        self.shared_button.clicked.connect(self.open_connection_dialog)
        self.catalog_button.clicked.connect(self.choose_catalog_file)
        self.demo_button.clicked.connect(lambda: self.choose(DEMO))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Wrapped descriptions: fit the height to the width (a window does not on its own).
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > 0:
            self.resize(self.width(), needed)

    def _choice(self, title: str, description: str) -> QCommandLinkButton:
        button = QCommandLinkButton(title, description)
        button.setAccessibleName(title)
        button.setAccessibleDescription(description)
        button.setAutoDefault(False)
        _mute_when_disabled(button)
        return button

    # ------------------------------------------------------------ choices

    def choose(self, start: str) -> None:
        """Save the name (off the GUI thread), then announce ``start`` and close."""
        if self._busy:
            return
        try:
            typed = self.name_edit.text().strip()
            name = clean_name(typed, "name") if typed else None
        except UserError as exc:
            self.name_error.show_message(str(exc))
            self.name_edit.setFocus()
            return
        self._set_busy(True)
        data_dir = self.location.data_dir
        self._side.run(
            lambda: save_name(data_dir, name) if name else None,
            lambda _none: self._chosen(start),
            self._not_saved,
        )

    def open_connection_dialog(self) -> QDialog:
        """The Shared database dialog; once it saved, the app opens connected."""
        from incidentdesk.ui.settings.connection_dialog import ConnectionDialog  # loads the driver

        dialog = ConnectionDialog(self.location.data_dir, self)
        dialog.saved.connect(lambda _url, _message: self.choose(SHARED))
        self.connection_dialog = dialog
        dialog.open()
        return dialog

    def choose_catalog_file(self) -> QFileDialog:
        """Ask for a catalog file; once it checks out, the app opens and imports it."""
        from incidentdesk.ui.catalog.browser import catalog_file_dialog

        self.file_dialog = catalog_file_dialog(self, self.check_catalog)
        return self.file_dialog

    def check_catalog(self, path: Path) -> None:
        """Read and check ``path`` off the GUI thread; a good file starts the app with it."""
        from incidentdesk.app.catalog import read_catalog_file

        if self._busy:
            return
        self.error.clear_message()
        self._set_busy(True)

        def checked(_result: object) -> None:
            self._set_busy(False)
            self.catalog_file = path
            self.choose(CATALOG)

        def refused(error: BaseException) -> None:
            self._set_busy(False)
            message = str(error) if isinstance(error, UserError) else repr(error)
            self.error.show_message(f"This catalog cannot be imported: {message}")

        self._side.run(lambda: read_catalog_file(path), checked, refused)

    def _chosen(self, start: str) -> None:
        self._set_busy(False)
        if not self.isVisible():  # closed while the name was being saved: the user quit
            return
        self.chosen.emit(start)
        self.accept()

    def _not_saved(self, error: BaseException) -> None:
        self._set_busy(False)
        message = str(error) if isinstance(error, ConfigError | OSError) else repr(error)
        self.error.show_message(f"Your name was not saved: {message}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        buttons = (
            self.local_button,
            self.shared_button,
            self.catalog_button,
            self.demo_button,
            self.quit_button,
        )
        for button in buttons:
            button.setEnabled(not busy)

    def done(self, result: int) -> None:
        self._side.shutdown()
        super().done(result)


def _mute_when_disabled(button: QWidget) -> None:
    # The light palette leaves disabled text as dark as enabled text: a choice that cannot
    # be made now (while a step runs) must look it.
    palette = button.palette()
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    button.setPalette(palette)


class ProfileChooser(QDialog):
    """Pick the profile to open, or name a new one.

    Args:
        location: where the profiles are (its base).
        names: the existing profiles.
        preselect: the profile selected at first (the last one used).
    """

    def __init__(
        self,
        location: ProfileLocation,
        names: list[str],
        preselect: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a profile")
        self.setMinimumWidth(460)
        self.chosen: str | None = None
        self._location = location
        intro = QLabel(
            "Each profile has its own incidents, settings and shared database. "
            "Next time, --profile NAME opens one directly."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Profiles")
        self.list.setSpacing(2)
        shown = names if DEFAULT_PROFILE in names else [DEFAULT_PROFILE, *names]
        for name in shown:
            place = location.with_name(name)
            label = name if place.has_database() else f"{name}  (not used yet)"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(str(place.data_dir))
            self.list.addItem(item)
            if name == (preselect or DEFAULT_PROFILE):
                self.list.setCurrentItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.new_edit = QLineEdit()
        self.new_edit.setPlaceholderText("for example training")
        self.new_edit.setAccessibleName("New profile name")
        self.new_edit.textEdited.connect(self._typed)
        self.new_error = InlineError()
        form = QFormLayout()
        form.addRow("Or a &new profile", self.new_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.new_error)
        layout.addWidget(buttons)
        self.list.setFocus()

    def _typed(self, text: str) -> None:
        self.new_error.clear_message()
        self.list.setEnabled(not text.strip())

    def accept(self) -> None:
        typed = self.new_edit.text().strip()
        if typed:
            try:
                name = check_profile_name(typed) if typed != DEFAULT_PROFILE else typed
            except ConfigError as exc:
                self.new_error.show_message(str(exc))
                self.new_edit.setFocus()
                return
        else:
            item = self.list.currentItem()
            if item is None:
                return
            name = str(item.data(Qt.ItemDataRole.UserRole))
        self.chosen = name
        super().accept()
