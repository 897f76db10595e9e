"""One service's row of the escalation panel: name, status, countdown and its buttons.

The row is told what its buttons do (:class:`RowActions`, which the panel is); it does not
know the panel.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from incidentdesk.core.escalation.page_status import PageWords, page_words
from incidentdesk.core.plural import counted
from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.escalation.words import (
    FIX_BUTTONS,
    TONE_COLORS,
    countdown_text,
    status_text,
    targets_tooltip,
)

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.escalations import EscalationOption


class RowActions(Protocol):
    """What a row's buttons ask for."""

    def fix(self, fix: tuple[str, str | None] | None) -> object:
        """Fix what kept a page from going out (set the secret, show the catalog)."""

    def page(self, service: str, level: int | None = None) -> None:
        """Page the owners of ``service``."""

    def ask_acknowledged(self, service: str) -> object:
        """Ask who answered the page of ``service``."""

    def confirm_escalation(self, service: str) -> object:
        """Ask before paging the next level of ``service``."""


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

    def __init__(self, panel: RowActions, service: str) -> None:
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
