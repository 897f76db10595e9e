"""The "Declare incident" dialog: title, severity (with definitions), services, commander.

Declaring and taking command are one job on the store worker. Everything the user typed
stays in the dialog when the Desk refuses it, with the reason shown next to the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.links import IMPACT_MAX, clean_bridge, clean_impact
from incidentdesk.core.incident.severity import SEVERITIES, UNSURE_RULE, Severity
from incidentdesk.core.text import NAME_MAX, TITLE_MAX, clean_name, clean_title
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import SEVERITY_COLORS, WARNING_COLOR
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.widgets.fitting_dialog import FittingDialog
from incidentdesk.ui.widgets.inline_note import InlineError

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk

T = TypeVar("T")


class ListCompleter(QCompleter):
    """Completes the item being typed after the last comma of a comma-separated list."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + str(index.data())


def split_services(text: str) -> list[str]:
    """The service names in comma-separated text: trimmed, checked, without repeats.

    Raises:
        DomainError: a name the Desk would refuse (too long, a control character).
    """
    names: list[str] = []
    for part in text.split(","):
        name = clean_name(part, "service name") if part.strip() else ""
        if name and name not in names:
            names.append(name)
    return names


class _SeverityOption(QWidget):
    """One severity: a radio button, a colour edge and the level's definition.

    A click anywhere on the row chooses the level, so the definition is part of the target.
    """

    def __init__(self, level: Severity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = level
        self.color = QColor(SEVERITY_COLORS.get(level.code, "#757575"))
        self.radio = QRadioButton(level.code.replace("SEV", "SEV&"))
        self.radio.setToolTip(level.definition)
        font = self.radio.font()
        font.setBold(True)
        self.radio.setFont(font)
        self.radio.setMinimumWidth(self.radio.sizeHint().width() + 8)
        self.radio.toggled.connect(self.update)
        text = QLabel(
            f"<b>{escape(level.heading)}.</b> {escape(level.summary)}<br>"
            f"<i>Examples:</i> {escape(level.examples)}"
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setToolTip(level.definition)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.radio, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text, 1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.radio.setChecked(True)
            self.radio.setFocus()
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.radio.isChecked():
            tint = QColor(self.palette().color(QPalette.ColorRole.Highlight))
            tint.setAlpha(45)
            painter.fillRect(self.rect(), tint)
        painter.fillRect(0, 0, 4, self.height(), self.color)
        painter.end()


@dataclass(frozen=True)
class _Declaration:
    title: str
    severity: str
    services: list[str]
    bridge: str  # the bridge link, or ""
    impact: str  # the customer impact line, or ""
    commander: str | None  # someone else, or None
    take_command: bool  # the declarer (the Desk's author) takes command


class DeclareDialog(FittingDialog):
    """Declare an incident, and by default take command of it.

    Args:
        client: the UI's handle on the Desk.
        parent: the owning window.

    Signals:
        declared(str): the new incident's id, once it is saved (the dialog then closes).
    """

    declared = Signal(str)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._busy = False
        self._incident_id: str | None = None  # declared, but the commander not yet assigned
        self.setWindowTitle("Declare an incident")
        self.setMinimumWidth(640)

        intro = QLabel("Declare early: the severity, services and roles can all change later.")
        intro.setWordWrap(True)

        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(TITLE_MAX)
        self.title_edit.setPlaceholderText("What is broken, for whom — e.g. EU checkout failing")
        self.title_edit.setAccessibleName("Title")
        self.title_error = InlineError()
        self.title_edit.textEdited.connect(lambda _t: self.title_error.clear_message())

        self.severity_group = QButtonGroup(self)
        self.severity_options: dict[str, _SeverityOption] = {}
        self.severity_error = InlineError()
        severity_box = self._severity_picker()

        self.services_edit = QLineEdit()
        self.services_edit.setPlaceholderText("payments-api, ledger-service")
        self.services_edit.setAccessibleName("Affected services")
        self._services_model = QStringListModel(self)
        self.services_edit.setCompleter(_loose(ListCompleter(self._services_model, self)))
        self.services_error = InlineError()
        self.services_edit.textEdited.connect(lambda _t: self.services_error.clear_message())

        self.bridge_edit, self.bridge_error = _line_field(
            "https://zoom.us/j/…, msteams:…, tel:+1…", "Bridge link"
        )
        self.impact_edit, self.impact_error = _line_field(
            "What customers notice — e.g. EU customers cannot pay by card", "Customer impact"
        )
        self.impact_edit.setMaxLength(IMPACT_MAX)
        self._commander_fields(client.author)
        form = self._form(severity_box)

        self.form_error = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText("&Declare")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)
        self.title_edit.setFocus()

    def _commander_fields(self, author: str) -> None:
        """Take command yourself, or name the commander."""
        self.take_command = QCheckBox(_take_command_text(author))
        self.take_command.setChecked(True)
        self.commander_edit = QLineEdit()
        self.commander_edit.setMaxLength(NAME_MAX)
        self.commander_edit.setPlaceholderText("Someone else — or leave empty to assign later")
        self.commander_edit.setAccessibleName("Incident Commander")
        self._people_model = QStringListModel(self)
        self.commander_edit.setCompleter(_loose(QCompleter(self._people_model, self)))
        self.commander_error = InlineError()
        self.commander_edit.textEdited.connect(lambda _t: self.commander_error.clear_message())
        self.take_command.toggled.connect(self._command_toggled)
        self._command_toggled(True)

    def _form(self, severity_box: QVBoxLayout) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&Title", _stack(self.title_edit, self.title_error))
        form.addRow("Severity", _stack(severity_box))
        form.addRow("Ser&vices", _stack(self.services_edit, self.services_error))
        form.addRow("Customer &impact", _stack(self.impact_edit, self.impact_error))
        form.addRow("&Bridge", _stack(self.bridge_edit, self.bridge_error))
        form.addRow(
            "Commander", _stack(self.take_command, self.commander_edit, self.commander_error)
        )
        return form

    # ----------------------------------------------------------------- API

    def set_services(self, services: Iterable[str]) -> None:
        """Offer these service names for completion (the catalog's, or recent incidents')."""
        self._services_model.setStringList(sorted(set(services), key=str.casefold))

    def set_people(self, people: Iterable[str]) -> None:
        """Offer these names for completion in the commander field."""
        self._people_model.setStringList(sorted(set(people), key=str.casefold))

    def set_severity(self, code: str) -> None:
        """Choose a severity for the user (say, from the alert that prompted the incident)."""
        self.severity_options[code].radio.setChecked(True)

    def selected_severity(self) -> str | None:
        """The severity code chosen, or None while none is."""
        for code, option in self.severity_options.items():
            if option.radio.isChecked():
                return code
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:  # the Desk may have opened since (author known)
            self.take_command.setText(_take_command_text(self._client.author))
        return super().event(event)

    def reject(self) -> None:
        """Close without declaring (not while a declaration is being saved)."""
        if not self._busy:
            super().reject()

    # ----------------------------------------------------------------- internals

    def _severity_picker(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        for level in SEVERITIES:
            option = _SeverityOption(level)
            self.severity_group.addButton(option.radio)
            self.severity_options[level.code] = option
            box.addWidget(option)
        unsure = QLabel(f"<b>Unsure?</b> {escape(UNSURE_RULE)}")
        amber = QColor(WARNING_COLOR)
        unsure.setStyleSheet(
            f"QLabel {{ background-color: rgba({amber.red()}, {amber.green()}, {amber.blue()}, 30);"
            f" border-left: 3px solid {WARNING_COLOR}; padding: 3px 6px; }}"
        )
        box.addWidget(unsure)
        box.addWidget(self.severity_error)
        self.severity_group.buttonToggled.connect(
            lambda _b, _on: self.severity_error.clear_message()
        )
        return box

    def _command_toggled(self, checked: bool) -> None:
        self.commander_edit.setEnabled(not checked)
        if checked:
            self.commander_error.clear_message()

    def _read(self) -> _Declaration | None:
        """The form's content, checked; None after showing what is wrong."""
        problems: list[QWidget] = []  # fields to fix, in form order

        def checked(field: QWidget, error: InlineError, clean: Callable[[], T]) -> T | None:
            try:
                return clean()
            except DomainError as exc:
                error.show_message(str(exc))
                problems.append(field)
                return None

        title = checked(self.title_edit, self.title_error, lambda: _title(self.title_edit.text()))
        code = self.selected_severity()
        if code is None:
            self.severity_error.show_message(f"Choose a severity. {UNSURE_RULE}")
            problems.append(self.severity_options["SEV1"].radio)
        services_text = self.services_edit.text()
        services = checked(
            self.services_edit, self.services_error, lambda: split_services(services_text)
        )
        impact_text, bridge_text = self.impact_edit.text(), self.bridge_edit.text()
        impact = checked(
            self.impact_edit,
            self.impact_error,
            lambda: clean_impact(impact_text) if impact_text.strip() else "",
        )
        bridge = checked(
            self.bridge_edit,
            self.bridge_error,
            lambda: clean_bridge(bridge_text) if bridge_text.strip() else "",
        )
        take_command = self.take_command.isChecked()
        typed = "" if take_command else self.commander_edit.text()
        commander = None
        if typed.strip():
            commander = checked(
                self.commander_edit,
                self.commander_error,
                lambda: clean_name(typed, "commander's name"),
            )
        if problems or title is None or code is None or services is None:
            problems[0].setFocus()
            return None
        assert bridge is not None and impact is not None  # else a problem was listed
        return _Declaration(title, code, services, bridge, impact, commander, take_command)

    def _submit(self) -> None:
        if self._busy:
            return
        self.form_error.clear_message()
        declaration = self._read()
        if declaration is None:
            return
        existing = self._incident_id

        def job(desk: Desk) -> tuple[str, BaseException | None]:
            d = declaration
            incident_id = existing or desk.incidents.declare(
                d.title, d.severity, d.services, bridge=d.bridge, impact=d.impact
            )
            commander = desk.author if d.take_command else d.commander
            try:
                if commander is not None:
                    desk.incidents.assign_role(incident_id, "commander", commander)
            except Exception as exc:  # the incident exists: say so, and let them retry
                return incident_id, exc
            return incident_id, None

        self._set_busy(True)
        self._client.command(job, self._done, self._failed)

    def _done(self, result: tuple[str, BaseException | None]) -> None:
        incident_id, command_error = result
        self._set_busy(False)
        if self._incident_id is None:  # announce the incident once, as soon as it exists
            self._incident_id = incident_id
            self.declared.emit(incident_id)
        if command_error is None:
            self.accept()
            return
        self._lock_declared_fields()
        self.form_error.show_message(
            "The incident is declared, but the commander could not be assigned: "
            f"{user_message(command_error)} Correct the name and press Declare again, "
            "or Cancel and assign a commander on the role board."
        )

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.form_error.show_message(user_message(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.accept_button.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)
        self.accept_button.setText("Declaring…" if busy else "&Declare")

    def _lock_declared_fields(self) -> None:
        for edit in (self.title_edit, self.services_edit, self.bridge_edit, self.impact_edit):
            edit.setReadOnly(True)
        for option in self.severity_options.values():
            option.setEnabled(False)


def _line_field(placeholder: str, name: str) -> tuple[QLineEdit, InlineError]:
    """An optional one-line field and the place for its problem."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(name)
    error = InlineError()
    edit.textEdited.connect(lambda _t: error.clear_message())
    return edit, error


def _title(typed: str) -> str:
    if not typed.strip():
        raise DomainError("Give the incident a title: what is broken, for whom.")
    return clean_title(typed)


def _take_command_text(author: str) -> str:
    return f"I take command as {author}" if author else "I take command"


def _loose(completer: QCompleter) -> QCompleter:
    """Match anywhere in a name, in any case (``led`` finds ``ledger-service``)."""
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return completer


def _stack(*items: QWidget | QVBoxLayout) -> QWidget:
    """Widgets (and layouts) one under the other, as one form field."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for item in items:
        if isinstance(item, QVBoxLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return box
