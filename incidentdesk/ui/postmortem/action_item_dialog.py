""" "Make action item…": a timeline note becomes a tracked action item.

The fields start from what the note says (``Bob: roll back by Friday``), read by the same
parser as ``/action``; the due field takes the same forms and says what date it means.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.app.action_items import known_person
from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.action_text import DUE_FORMS, parse_action, parse_due_text
from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.widgets.inline_note import note_css


class ActionItemDialog(QDialog):
    """Description, owner and due date of the item a note becomes.

    Args:
        note_text: the note's text, parsed for the first values.
        today: the local date ("Friday" means the next one after it).
        people: names offered for the owner.
        parent: the parent widget.
    """

    def __init__(
        self,
        note_text: str,
        *,
        today: date,
        people: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make action item")
        self._today = today
        try:
            parsed = parse_action(note_text, today=today)
            description = parsed.description
            owner = known_person(parsed.owner, people) if parsed.owner else ""
            due = "" if parsed.due is None else parsed.due.isoformat()
        except DomainError:
            description, owner, due = note_text.strip(), "", ""

        self.description_edit = QLineEdit(description, self)
        self.description_edit.setAccessibleName("What needs doing")
        self.owner_edit = QLineEdit(owner, self)
        self.owner_edit.setAccessibleName("Owner")
        self.owner_edit.setPlaceholderText("Nobody yet")
        completer = QCompleter(people, self.owner_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.owner_edit.setCompleter(completer)
        self.due_edit = QLineEdit(due, self)
        self.due_edit.setAccessibleName("Due")
        self.due_edit.setPlaceholderText("No due date")
        self.due_edit.setToolTip(f"Use {DUE_FORMS}.")
        self.due_hint = QLabel(self)
        self.due_hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&What:", self.description_edit)
        form.addRow("&Owner:", self.owner_edit)
        form.addRow("&Due:", self.due_edit)
        form.addRow("", self.due_hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Make action item")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.description_edit.textChanged.connect(self._check)
        self.due_edit.textChanged.connect(self._check)
        self._check()
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def due(self) -> date | None:
        """The due date as typed (None: none, or not a date the parser knows)."""
        typed = self.due_edit.text().strip()
        if not typed:
            return None
        try:
            return parse_due_text(typed, today=self._today)
        except DomainError:
            return None

    def values(self) -> tuple[str, str, date | None]:
        """(description, owner, due) as the dialog holds them."""
        return (
            self.description_edit.text().strip(),
            self.owner_edit.text().strip(),
            self.due(),
        )

    def _check(self) -> None:
        typed = self.due_edit.text().strip()
        problem = ""
        try:
            shown = parse_due_text(typed, today=self._today) if typed else None
        except DomainError as error:
            problem, shown = str(error), None
        if problem:
            self.due_hint.setText(problem)
            self.due_hint.setStyleSheet(note_css(WARNING_COLOR))
        else:
            self.due_hint.setStyleSheet("")
            self.due_hint.setText(
                "No due date." if shown is None else f"Due {shown.strftime('%A')} {shown}."
            )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem and bool(self.description_edit.text().strip()))
