"""The post-mortem's section navigator: one row per section with its completeness, and the
overall completeness meter.

Completeness follows the text as it is typed (``core.pm_review.completeness`` is pure), so
the row and the meter change before the section is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QProgressBar, QWidget

from incidentdesk.core.plural import counted
from incidentdesk.core.postmortem.review import COMPLETE, EMPTY, completeness
from incidentdesk.core.postmortem.template import TemplateSection
from incidentdesk.ui.common.style import ERROR_COLOR, OK_COLOR, WARNING_COLOR

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
COMPLETENESS_ROLE = Qt.ItemDataRole.UserRole + 2
COMPLETENESS_LABELS = {"empty": "empty", "started": "started", "complete": "complete"}
_DOT_COLORS = {"empty": "#9aa0a6", "started": WARNING_COLOR, "complete": OK_COLOR}


@dataclass(frozen=True)
class SectionRow:
    """What the navigator shows of one section."""

    spec: TemplateSection
    completeness: str
    open_findings: int
    conflict: bool

    @property
    def key(self) -> str:
        """The section key."""
        return self.spec.key


def _dot(color: str, outline: bool = False) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if outline:
        painter.setPen(QColor(color))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(2, 2, 9, 9)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawEllipse(2, 2, 10, 10)
    painter.end()
    return QIcon(pixmap)


class SectionsModel(QAbstractListModel):
    """The sections of one post-mortem, in template order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SectionRow] = []
        self._icons: dict[str, QIcon] = {}

    # ------------------------------------------------------------ filling

    def set_rows(self, rows: list[SectionRow]) -> None:
        """Show these sections (a reset only when the set of sections changes)."""
        if [r.key for r in rows] != [r.key for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        for row, (old, new) in enumerate(zip(self._rows, rows, strict=True)):
            if old != new:
                self._rows[row] = new
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def set_text(self, key: str, text: str) -> None:
        """The text of a section changed in the editor: recompute its completeness."""
        for row, current in enumerate(self._rows):
            if current.key == key:
                state = completeness(current.spec, text)
                if state != current.completeness:
                    self._rows[row] = replace(current, completeness=state)
                    index = self.index(row)
                    self.dataChanged.emit(index, index)
                return

    def set_open_findings(self, key: str, count: int) -> None:
        """The live count of open findings in a section."""
        for row, current in enumerate(self._rows):
            if current.key == key and current.open_findings != count:
                self._rows[row] = replace(current, open_findings=count)
                index = self.index(row)
                self.dataChanged.emit(index, index)

    # ------------------------------------------------------------ queries

    def row_of(self, key: str) -> int:
        """The row of a section, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.key == key), -1)

    def row_at(self, row: int) -> SectionRow:
        """The section shown in a row."""
        return self._rows[row]

    def rows(self) -> list[SectionRow]:
        """Every row, in order."""
        return list(self._rows)

    def counts(self) -> tuple[int, int]:
        """(complete, total) over the required sections (all sections when none is)."""
        counted = [r for r in self._rows if r.spec.required] or self._rows
        return sum(1 for r in counted if r.completeness == COMPLETE), len(counted)

    # ------------------------------------------------------------ model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            marks = []
            if row.conflict:
                marks.append("merge")
            if row.open_findings:
                marks.append(f"{row.open_findings} to reword")
            suffix = f"  ({', '.join(marks)})" if marks else ""
            return f"{row.spec.title}{suffix}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [
                "Required" if row.spec.required else "Optional",
                COMPLETENESS_LABELS.get(row.completeness, row.completeness),
            ]
            if row.open_findings:
                parts.append(f"{counted(row.open_findings, 'blameless finding')} open")
            if row.conflict:
                parts.append("conflicting edits to merge")
            return " · ".join(parts)
        if role == Qt.ItemDataRole.FontRole and row.spec.required:
            font = QFont()
            font.setBold(row.completeness != COMPLETE)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.spec.title}, {row.completeness}"
        if role == KEY_ROLE:
            return row.key
        if role == COMPLETENESS_ROLE:
            return row.completeness
        return None

    def _icon(self, row: SectionRow) -> QIcon:
        name = "conflict" if row.conflict else row.completeness
        if name not in self._icons:
            if name == "conflict":
                self._icons[name] = _dot(ERROR_COLOR)
            else:
                color = _DOT_COLORS.get(name, "#9aa0a6")
                self._icons[name] = _dot(color, outline=name == EMPTY)
        return self._icons[name]


class CompletenessMeter(QProgressBar):
    """How many required sections are complete, as a bar with the count in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PostmortemCompleteness")
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.set_counts(0, 0)

    def set_counts(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` required sections complete."""
        percent = round(100 * done / total) if total else 0
        self.setValue(percent)
        self.setFormat(f"{done} of {total} required complete")
        self.setToolTip(f"{percent}% of the required sections are complete")

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), 20))
