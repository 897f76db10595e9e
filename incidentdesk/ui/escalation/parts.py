"""The pieces of the escalation panel: its words, a service's row, its dialogs and bars.

See :mod:`incidentdesk.ui.escalation.panel` for the panel that puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QResizeEvent
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

from incidentdesk.core.errors import UserError
from incidentdesk.core.escalation.model import Page
from incidentdesk.core.escalation.page_status import PageWords, page_words
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.plural import counted
from incidentdesk.ui.common.style import ERROR_COLOR, OK_COLOR, WARNING_COLOR
from incidentdesk.ui.widgets.inline_note import InlineError, note_css

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.escalations import EscalationOption
    from incidentdesk.ui.escalation.panel import EscalationPanel

TICK_MS = 1_000
SENT_COLOR = "#1e88e5"
STATUS_COLORS = {
    "requested": SENT_COLOR,
    "sent": SENT_COLOR,
    "acknowledged": OK_COLOR,
    "resolved": "#757575",
    "failed": ERROR_COLOR,
}
MUTED_COLOR = "#757575"
TONE_COLORS = {
    "info": SENT_COLOR,
    "ok": OK_COLOR,
    "warning": WARNING_COLOR,
    "error": ERROR_COLOR,
    "muted": MUTED_COLOR,
}
FIX_BUTTONS = {"secret": "Set secret…", "catalog": "Open catalog"}
NO_CATALOG = (
    "No service catalog yet: IncidentDesk does not know who owns these services or how to "
    "page them. Import the catalog your teams keep (TOML or Backstage YAML)."
)


# ---------------------------------------------------------------- words


def countdown_clock(seconds: float) -> str:
    """``4:05`` (minutes and seconds) or ``1:02:05`` past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_text(page: Page | None, now: datetime | None = None) -> str:
    """What the status column says about a service's latest page."""
    if page is None:
        return "Not paged"
    return page_words(page, now).text


def countdown_text(page: Page | None, now: datetime) -> str:
    """``Ack due in 4:05``, or how long the timeout has run out (empty when not waiting)."""
    if page is None or page.status != "sent":
        return ""
    deadline = page.ack_deadline
    if deadline is None:
        return ""
    left = (deadline - now).total_seconds()
    if left > 0:
        return f"Ack due in {countdown_clock(left)}"
    return f"Overdue by {countdown_clock(-left)} ({page.ack_timeout_minutes} min timeout)"


def targets_tooltip(page: Page) -> str:
    """One line per notification target: how its delivery went."""
    lines = [
        f"Level {page.level} of {page.levels}, policy {page.policy}; requested by "
        f"{page.requested_by} at {page.requested_at.astimezone():%H:%M:%S}."
    ]
    for target in page.targets.values():
        line = f"{target.name} ({target.adapter}): {target.status}"
        if target.attempts:
            line += f", {target.attempts} attempt{'s' if target.attempts > 1 else ''}"
        if target.reason and target.status != "sent":
            line += f" — {target.reason}"
        if target.retry_at is not None and target.status == "pending":
            line += f" (next try {target.retry_at.astimezone():%H:%M:%S})"
        lines.append(line)
    return "\n".join(lines)


def open_pages(state: IncidentState | None) -> list[Page]:
    """Pages that still hold an alert somewhere (not resolved, not failed)."""
    if state is None:
        return []
    return [
        p for p in state.escalation.pages.values() if p.resolved_at is None and p.status != "failed"
    ]


# ---------------------------------------------------------------- data from the worker


NO_CHANNEL = "Status changes are not posted to chat"


@dataclass
class PanelData:
    """What one fetch brings: the options, whether there is a catalog, who owns what."""

    options: list[EscalationOption]
    has_catalog: bool
    owners: dict[str, list[str]] = field(default_factory=dict)  # team → people's names
    services: list[tuple[str, str]] = field(default_factory=list)  # (service, team)
    chat_targets: list[str] = field(default_factory=list)  # for status changes


def escalation_key(state: IncidentState | None) -> object:
    """What the panel's rows depend on in an incident's state: its services, whether it is
    active, its pages (with each target's progress) and its chat channel. A note or a role
    change leaves it the same, so the panel does not fetch again for those."""
    if state is None:
        return None
    pages = tuple(
        (
            page.id,
            page.status,
            tuple((t.status, t.attempts, t.reason) for t in page.targets.values()),
        )
        for page in state.escalation.pages.values()
    )
    return (state.id, tuple(state.services), state.active, pages, state.escalation.channel)


def fetch_panel_data(desk: Desk, incident_id: str) -> PanelData:
    """Runs on the worker: the options and the bits of the catalog the panel offers."""
    options = desk.escalations.options(incident_id)
    catalog = desk.catalog.current()
    if catalog is None:
        return PanelData(options, False)
    owners: dict[str, list[str]] = {}
    for team in catalog.teams:
        names = []
        for handle in team.members:
            try:
                person = catalog.person(handle)
            except UserError:
                continue
            if person is not None:
                names.append(person.name)
        owners[team.name] = names
    services = sorted(((s.name, s.team) for s in catalog.services), key=lambda s: s[0].casefold())
    return PanelData(options, True, owners, services, desk.escalations.chat_targets())


# ---------------------------------------------------------------- one row


class StatusLabel(QLabel):
    """One line of status in a tinted box; a text too long for the width ends in "…" (the
    whole text is in ``full_text`` and the tooltip's first line)."""

    PADDING = 16  # the stylesheet's left border and padding

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""
        self.setMinimumWidth(60)

    def set_full_text(self, text: str) -> None:
        """Show ``text``, shortened to the width the layout gives."""
        self.full_text = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self.full_text) + self.PADDING
        return QSize(max(width, self.minimumWidth()), hint.height())

    def _elide(self) -> None:
        width = max(1, self.width() - self.PADDING)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            self.setText(shown)


class EscalationRow:
    """The widgets of one service's row (they sit in the panel's grid, so columns align)."""

    def __init__(self, panel: EscalationPanel, service: str) -> None:
        self.service = service
        self.option: EscalationOption | None = None
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.status = StatusLabel()
        self.status.setAccessibleName(f"{service} page status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.countdown = QLabel()
        self.countdown.setAccessibleName(f"{service} acknowledgement countdown")
        self.page_button = QPushButton()
        self.page_button.setAutoDefault(False)
        self.ack_button = QPushButton("Mark acknowledged…")
        self.ack_button.setAutoDefault(False)
        self.ack_button.setAccessibleName(f"Mark the page of {service} acknowledged")
        self.ack_button.setToolTip("Record who answered the page (it stops the retries)")
        self.escalate_button = QPushButton()
        self.escalate_button.setAutoDefault(False)
        # What fixes a page that did not go out: "Set secret…" or "Open catalog".
        self.fix_button = QPushButton()
        self.fix_button.setAutoDefault(False)
        self.fix_button.hide()
        self.fix: tuple[str, str | None] | None = None  # ("secret", name) or ("catalog", None)
        self.fix_button.clicked.connect(lambda: panel.fix(self.fix))
        self.page_button.clicked.connect(lambda: panel.page(service))
        self.ack_button.clicked.connect(lambda: panel.ask_acknowledged(service))
        self.escalate_button.clicked.connect(lambda: panel.confirm_escalation(service))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.fix_button, self.page_button, self.escalate_button, self.ack_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.name, self.status, self.countdown, self.buttons)

    def show(self, option: EscalationOption, busy: bool, now: datetime) -> None:
        self.option = option
        page = option.page
        team = option.team or "no owning team"
        detail = f"{team} · {option.policy}" if option.policy else team
        self.name.setText(f"<b>{_html(option.service)}</b><br><small>{_html(detail)}</small>")
        self.name.setToolTip(
            f"{option.service}: owned by {team}"
            + (
                f", escalation policy {option.policy} ({counted(option.levels, 'level')})"
                if option.policy
                else ""
            )
        )
        words = page_words(page, now) if page is not None else None
        if option.problem and page is None:
            self._set_status(option.problem, WARNING_COLOR)
        else:
            self._show_words(words)
        self._show_fix(option, words)
        waiting = page is not None and page.open
        can_page = option.problem is None and not waiting
        self.page_button.setText(f"Page {option.team} (level {option.next_level})")
        self.page_button.setAccessibleName(
            f"Page {option.team} for {option.service}, level {option.next_level}"
        )
        self.page_button.setToolTip(
            option.problem
            or (
                f"{option.service} level {page.level} is waiting for an answer"
                if waiting and page is not None
                else f"Page the owners of {option.service} now (one click)"
            )
        )
        self.page_button.setVisible(not waiting and option.team is not None)
        self.page_button.setEnabled(can_page and not busy)
        self.ack_button.setVisible(waiting)
        self.ack_button.setEnabled(not busy)
        self.tick(now, busy)

    def tick(self, now: datetime, busy: bool = False) -> None:
        """Rewrite the countdown (a label whose text is unchanged does not repaint)."""
        option = self.option
        page = option.page if option is not None else None
        if page is not None and page.status == "requested":
            self._show_words(page_words(page, now))  # the retry countdown
        text = countdown_text(page, now)
        if self.countdown.text() != text:
            self.countdown.setText(text)
        overdue = page is not None and page.overdue(now)
        self.countdown.setStyleSheet(f"color: {WARNING_COLOR};" if overdue else "")
        can_escalate = overdue and page is not None and page.level < page.levels
        if can_escalate and page is not None:
            label = f"Escalate to level {page.level + 1}…"
            if self.escalate_button.text() != label:
                self.escalate_button.setText(label)
                self.escalate_button.setAccessibleName(
                    f"Escalate {page.service} to level {page.level + 1}"
                )
                self.escalate_button.setToolTip(
                    f"Nobody acknowledged level {page.level} within {page.ack_timeout_minutes} "
                    f"min: page level {page.level + 1} of {page.policy} (asks first)"
                )
        self.escalate_button.setEnabled(not busy)
        self.escalate_button.setVisible(can_escalate)

    def _show_words(self, words: PageWords | None) -> None:
        if words is None:
            self._set_status(status_text(None), None)
            return
        self._set_status(words.text, TONE_COLORS[words.tone])
        page = self.option.page if self.option is not None else None
        lines = [words.text]
        if words.reason and words.reason not in words.text:
            lines.append(words.reason)
        if page is not None:
            lines.append(targets_tooltip(page))
        tooltip = "\n".join(lines)
        if self.status.toolTip() != tooltip:
            self.status.setToolTip(tooltip)

    def _show_fix(self, option: EscalationOption, words: PageWords | None) -> None:
        if words is not None and words.state == "failed" and words.fix is not None:
            self.fix = (words.fix, words.secret_name)
        elif option.problem:
            self.fix = ("catalog", None)  # not in the catalog, no policy: fix it there
        else:
            self.fix = None
        self.fix_button.setVisible(self.fix is not None)
        if self.fix is not None:
            kind, secret = self.fix
            self.fix_button.setText(FIX_BUTTONS[kind])
            self.fix_button.setAccessibleName(
                f"Set the secret {secret} of {option.service}'s target"
                if kind == "secret"
                else f"Open the service catalog to fix {option.service}"
            )
            self.fix_button.setToolTip(
                f"Store the secret '{secret}' on this workstation, then page again"
                if kind == "secret"
                else "Show the service catalog (Ctrl+4) to see or import what is missing"
            )

    def _set_status(self, text: str, color: str | None) -> None:
        if text == self.status.full_text and color == self.status.property("tone_color"):
            return  # unchanged: no restyle, no repaint
        self.status.setProperty("tone_color", color)
        self.status.set_full_text(text)
        if color is None:
            self.status.setStyleSheet("")
            return
        tint = QColor(color)
        self.status.setStyleSheet(
            f"QLabel {{ border-left: 3px solid {color}; padding: 2px 6px;"
            f" background: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 30); }}"
        )


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- dialogs


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
