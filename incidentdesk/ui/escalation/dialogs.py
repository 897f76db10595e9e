"""The escalation panel's dialogs (who acknowledged, which service to page) and its offer
bars."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.escalation.model import Page
from incidentdesk.ui.escalation.words import SENT_COLOR
from incidentdesk.ui.widgets.inline_note import InlineError, note_css


class AcknowledgeDialog(QDialog):
    """Who answered the page? (Prefilled from the owning team; any name may be typed.)"""

    def __init__(self, page: Page, people: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Acknowledged — {page.service}")
        intro = QLabel(
            f"Who answered the page of {page.team} for {page.service} (level {page.level})?"
        )
        intro.setWordWrap(True)
        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.person.addItems(list(people))
        self.person.setAccessibleName("Who answered")
        self.person.setToolTip("The person who answered; type a name if they are not listed")
        label = QLabel("&Answered by")
        label.setBuddy(self.person)
        self.error = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Mark acknowledged")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.person)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.person.setFocus()
        edit = self.person.lineEdit()
        if edit is not None:
            edit.selectAll()

    def who(self) -> str:
        """The name as typed or picked."""
        return " ".join(self.person.currentText().split())

    def accept(self) -> None:
        if not self.who():
            self.error.show_message("Name who answered the page.")
            return
        super().accept()


class PageServiceDialog(QDialog):
    """Pick a catalog service that is not in the incident, to page its owners."""

    def __init__(self, services: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Page another service")
        intro = QLabel(
            "Page the owners of a service that is not named in the incident yet "
            "(type to search the catalog)."
        )
        intro.setWordWrap(True)
        self.service = QComboBox()
        self.service.setEditable(True)
        self.service.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name, team in services:
            self.service.addItem(f"{name} — {team}", name)
        self.service.setAccessibleName("Service to page")
        completer = self.service.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        label = QLabel("&Service")
        label.setBuddy(self.service)
        self.error = InlineError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Page")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.service)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())

    def chosen(self) -> str | None:
        """The service picked (None when the text names none)."""
        text = self.service.currentText().strip()
        for row in range(self.service.count()):
            name = str(self.service.itemData(row))
            if text in (self.service.itemText(row), name) or text.casefold() == name.casefold():
                return name
        return None

    def accept(self) -> None:
        if self.chosen() is None:
            self.error.show_message("Pick a service from the catalog.")
            return
        super().accept()


class OfferBar(QFrame):
    """A calm, non-modal question with its answers as buttons (hidden when none is open)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.accept_button = QPushButton()
        self.accept_button.setAutoDefault(False)
        self.dismiss_button = QPushButton("Not now")
        self.dismiss_button.setAutoDefault(False)
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.accept_button)
        layout.addWidget(self.dismiss_button)
        self.setStyleSheet(note_css(SENT_COLOR).replace("QLabel", f"QFrame#{name}"))
        self.hide()

    def offer(self, text: str, action: str, tooltip: str) -> None:
        """Ask; the accept button reads ``action``."""
        self.text.setText(text)
        self.accept_button.setText(action)
        self.accept_button.setToolTip(tooltip)
        self.show()
