"""The banner above the incident when a page did NOT go out: "Payments was NOT paged".

A page that failed for good (no secret on this workstation, a receiver that refused it, a
malformed address) must not look like it is on its way: the command view says so in red,
with the reason and what fixes it, until the commander dismisses it or a later page of that
service succeeds. Pure GUI: it reads the state it is given and never calls the Desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incidentdesk.core.escalation.model import Page
from incidentdesk.core.escalation.page_status import page_words, short_reason
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.ui.common.style import ERROR_COLOR
from incidentdesk.ui.widgets.inline_note import note_css

FIX_TEXTS = {"secret": "Set secret…", "catalog": "Open catalog"}


def unpaged(state: IncidentState | None) -> list[Page]:
    """The failed pages still standing: the latest page of their service did not go out."""
    if state is None:
        return []
    latest: dict[str, Page] = {}
    for page in state.escalation.pages.values():
        latest[page.service] = page
    return [p for p in latest.values() if p.status == "failed"]


def headline(page: Page) -> str:
    """ "Payments was NOT paged for checkout" (the team, then the service)."""
    team = page.team[:1].upper() + page.team[1:]
    return f"{team} was NOT paged for {page.service}"


@dataclass
class _Line:
    page_id: str
    widget: QWidget
    text: QLabel
    fix: QPushButton
    dismiss: QPushButton
    remedy: tuple[str, str | None] | None = None


class PageFailureBanner(QFrame):
    """One red line per page that did not go out, each with its fix and "Dismiss".

    Signals:
        fix_requested(object): ``("secret", name)`` or ``("catalog", None)``.
    """

    fix_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PageFailureBanner")
        self.setAccessibleName("Pages that were not sent")
        self.setStyleSheet(note_css(ERROR_COLOR).replace("QLabel", "QFrame#PageFailureBanner"))
        self.lines: dict[str, _Line] = {}
        self._dismissed: set[str] = set()
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(8, 4, 4, 4)
        self._box.setSpacing(2)
        self.hide()

    def set_state(self, state: IncidentState | None) -> None:
        """Show the pages of ``state`` that did not go out (and were not dismissed)."""
        pages = [p for p in unpaged(state) if p.id not in self._dismissed]
        wanted = {p.id for p in pages}
        for page_id in [i for i in self.lines if i not in wanted]:
            line = self.lines.pop(page_id)
            self._box.removeWidget(line.widget)
            line.widget.deleteLater()
        for page in pages:
            line = self.lines.get(page.id) or self._add(page.id)
            words = page_words(page)
            said = short_reason(words.reason, words.secret_name)
            text = f"<b>{_html(headline(page))}</b>: {_html(said)}"
            if line.text.text() != text:
                line.text.setText(text)
                line.text.setToolTip(f"{headline(page)}: {words.reason}")
            line.remedy = (words.fix, words.secret_name) if words.fix else None
            line.fix.setVisible(line.remedy is not None)
            if line.remedy is not None:
                line.fix.setText(FIX_TEXTS[line.remedy[0]])
        self.setVisible(bool(self.lines))

    def dismiss(self, page_id: str) -> None:
        """Hide one page's line (until another page of the service fails)."""
        self._dismissed.add(page_id)
        line = self.lines.pop(page_id, None)
        if line is not None:
            self._box.removeWidget(line.widget)
            line.widget.deleteLater()
        self.setVisible(bool(self.lines))

    def _add(self, page_id: str) -> _Line:
        widget = QWidget(self)
        text = QLabel()
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fix = QPushButton()
        fix.setAutoDefault(False)
        fix.clicked.connect(lambda: self.fix_requested.emit(self.lines[page_id].remedy))
        dismiss = QPushButton("Dismiss")
        dismiss.setAutoDefault(False)
        dismiss.setToolTip("Hide this warning (the page stays failed in the escalation panel)")
        dismiss.clicked.connect(lambda: self.dismiss(page_id))
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("\u26a0"))
        row.addWidget(text, 1)
        row.addWidget(fix)
        row.addWidget(dismiss)
        self._box.addWidget(widget)
        line = _Line(page_id, widget, text, fix, dismiss)
        self.lines[page_id] = line
        return line


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
