"""Blameless findings in the editor: a wavy underline under each, the explanation and the
suggestion on hover, a list of them, and "Accept with reason…".

The check itself is ``core.blameless`` (pure, fast): the editor runs it on the GUI thread as
the text changes and hands the findings, paired with their acceptances
(``core.pm_review.match_findings``), to the highlighter and the list here.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.postmortem.blameless import CATEGORIES
from incidentdesk.core.postmortem.review import CheckedFinding
from incidentdesk.ui.widgets.inline_note import InlineError

Index = QModelIndex | QPersistentModelIndex
LIGHT_UNDERLINE = "#d32f2f"
DARK_UNDERLINE = "#ff6e6e"  # the dark palette's BrightText: readable on #17181a
ACCEPTED_UNDERLINE = "#8a8d91"
OPEN_TINT_LIGHT = 30  # alpha of the tint behind open findings
OPEN_TINT_DARK = 45


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def finding_tip(checked: CheckedFinding) -> str:
    """The hover text of a finding: explanation, suggestion, and the acceptance if any."""
    finding: Any = checked.finding
    lines = [
        f"“{finding.text}”: {getattr(finding, 'explanation', '')}",
        f"Suggestion: {getattr(finding, 'suggestion', '')}",
    ]
    if checked.accepted is not None:
        lines.append(f"Accepted by {checked.accepted.by}: {checked.accepted.reason}")
    return "\n".join(lines)


def _astral_positions(text: str) -> list[int]:
    """Where the characters that Qt counts twice (outside the Basic Multilingual Plane) are."""
    if text.isascii():
        return []
    return [i for i, char in enumerate(text) if ord(char) > 0xFFFF]


def _to_qt(index: int, astral: list[int]) -> int:
    """A character offset as a UTF-16 offset."""
    return index + bisect.bisect_left(astral, index)


def _end(checked: CheckedFinding) -> int:
    finding: Any = checked.finding
    end = getattr(finding, "end", None)
    return int(end) if end is not None else checked.finding.start + len(checked.finding.text)


class FindingsHighlighter(QSyntaxHighlighter):
    """Underlines findings at their exact character spans (open: wavy red; accepted: dotted
    grey)."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._findings: list[CheckedFinding] = []
        self._spans: dict[int, tuple[int, int]] = {}
        self._reach: list[int] = []
        self.set_palette(palette)

    def set_palette(self, palette: QPalette) -> None:
        """Pick underline colours that read well on this palette's base colour."""
        self.open_format = QTextCharFormat()
        self.open_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        color = QColor(DARK_UNDERLINE if _is_dark(palette) else LIGHT_UNDERLINE)
        self.open_format.setUnderlineColor(color)
        # A thin wave alone is easy to miss: a faint tint of the same colour marks the words.
        tint = QColor(color)
        tint.setAlpha(OPEN_TINT_DARK if _is_dark(palette) else OPEN_TINT_LIGHT)
        self.open_format.setBackground(tint)
        self.accepted_format = QTextCharFormat()
        self.accepted_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        self.accepted_format.setUnderlineColor(QColor(ACCEPTED_UNDERLINE))
        self.rehighlight()

    def set_findings(self, findings: Sequence[CheckedFinding]) -> None:
        """Underline these findings (spans into the whole document's plain text)."""
        self._findings = sorted(findings, key=lambda c: (c.finding.start, _end(c)))
        # The checker counts characters; Qt counts UTF-16 units (an emoji is two).
        astral = _astral_positions(self.document().toPlainText())
        self._spans = {
            id(c): (_to_qt(c.finding.start, astral), _to_qt(_end(c), astral))
            for c in self._findings
        }
        # The largest end so far, per finding: a block finds its first finding by bisection.
        self._reach = []
        reach = -1
        for checked in self._findings:
            reach = max(reach, self.qt_span(checked)[1])
            self._reach.append(reach)
        self.rehighlight()

    def qt_span(self, checked: CheckedFinding) -> tuple[int, int]:
        """A finding's (start, end) as Qt text positions (UTF-16 units), for cursors."""
        return self._spans.get(id(checked)) or (checked.finding.start, _end(checked))

    def findings(self) -> list[CheckedFinding]:
        """The findings underlined now."""
        return list(self._findings)

    def finding_at(self, position: int) -> CheckedFinding | None:
        """The finding covering a Qt text position (a cursor's), or None."""
        for checked in self._findings:
            start, end = self.qt_span(checked)
            if start <= position < end:
                return checked
        return None

    def highlightBlock(self, text: str) -> None:
        block_start = self.currentBlock().position()
        block_end = block_start + len(text.encode("utf-16-le")) // 2
        first = bisect.bisect_right(self._reach, block_start)
        for checked in self._findings[first:]:
            start, end = self.qt_span(checked)
            if start >= block_end:
                break
            if end <= block_start:
                continue
            begin = max(start, block_start) - block_start
            length = min(end, block_end) - block_start - begin
            fmt = self.open_format if checked.open else self.accepted_format
            self.setFormat(begin, length, fmt)


class FindingsModel(QAbstractListModel):
    """The findings of the section being edited, open ones first."""

    CHECKED_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CheckedFinding] = []

    def set_findings(self, findings: Sequence[CheckedFinding]) -> None:
        """Show these findings (the list is short: a reset is cheap)."""
        ordered = sorted(findings, key=lambda c: (not c.open, c.finding.start))
        if ordered == self._rows:
            return
        self.beginResetModel()
        self._rows = ordered
        self.endResetModel()

    def checked_at(self, row: int) -> CheckedFinding:
        """The finding in a row."""
        return self._rows[row]

    def open_count(self) -> int:
        """Findings neither reworded nor accepted."""
        return sum(1 for c in self._rows if c.open)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        checked = self._rows[index.row()]
        finding: Any = checked.finding
        if role == Qt.ItemDataRole.DisplayRole:
            category = CATEGORIES.get(getattr(finding, "category", ""), "")
            where = f"line {finding.line}" if hasattr(finding, "line") else ""
            state = " · accepted" if not checked.open else ""
            return f"“{finding.text}” — {category}, {where}{state}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return finding_tip(checked)
        if role == Qt.ItemDataRole.ForegroundRole and not checked.open:
            return QColor(ACCEPTED_UNDERLINE)
        if role == self.CHECKED_ROLE:
            return checked
        return None


class AcceptFindingDialog(QDialog):
    """Keep a finding as written, with the reason (recorded in the journal).

    Signals:
        accepted_with(str): the reason, when the user accepts.
    """

    accepted_with = Signal(str)

    def __init__(self, checked: CheckedFinding, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accept the wording")
        self.setMinimumWidth(460)
        finding: Any = checked.finding
        intro = QLabel(
            f"Keep “{finding.text}” as written?\n\n{getattr(finding, 'explanation', '')}\n"
            f"Suggestion: {getattr(finding, 'suggestion', '')}",
            self,
        )
        intro.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setPlaceholderText("Why this wording is right here (recorded)")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(80)
        self.error = InlineError(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Accept with reason")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Reason", self))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _accept(self) -> None:
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            self.error.show_message("Give a reason: it is recorded with the acceptance.")
            return
        self.accepted_with.emit(reason)
        self.accept()
