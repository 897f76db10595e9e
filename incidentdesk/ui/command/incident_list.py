"""The list of incidents: active first, worst first, updated in place as they change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.lifecycle import ACTIVE_STATUSES, STATUS_LABELS
from incidentdesk.core.incident.severity import severity
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_duration, to_micros, utc_now
from incidentdesk.ui.common.style import SEVERITY_COLORS
from incidentdesk.ui.widgets.row_order import reorder
from incidentdesk.ui.widgets.table_model import Index, RowsTableModel

COLUMNS = ("Sev", "Incident", "Status", "Duration")
SEV, TITLE, STATUS, DURATION = range(4)
IncidentIdRole = Qt.ItemDataRole.UserRole + 1
OrderRole = Qt.ItemDataRole.UserRole + 2


class IncidentListModel(RowsTableModel):
    """Incident-list rows (as the Desk's ``incidents()`` returns them)."""

    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._clock = clock

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Bring the model to these rows, kept in display order (active first, worst
        first, newest first): update in place, insert new, remove gone, then reorder.

        The model keeps its own order rather than a sorting proxy: sorting thousands of
        incidents through a proxy calls back into Python for every comparison.
        """
        wanted = {r["id"]: r for r in rows}
        for position in range(len(self._rows) - 1, -1, -1):
            if self._rows[position]["id"] not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        known = {r["id"]: i for i, r in enumerate(self._rows)}
        for incident_id, position in known.items():
            if self._rows[position] != wanted[incident_id]:
                self._rows[position] = wanted[incident_id]
                self.dataChanged.emit(self.index(position, 0), self.index(position, DURATION))
        fresh = sorted(
            (row for incident_id, row in wanted.items() if incident_id not in known),
            key=order_key,
        )
        if fresh and not self._rows:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._rows = fresh
            self.endInsertRows()
            return
        if fresh:
            end = len(self._rows)
            self.beginInsertRows(QModelIndex(), end, end + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        self._reorder()

    def _reorder(self) -> None:
        reorder(self, self._rows, sorted(self._rows, key=order_key), self._set_list)

    def _set_list(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def tick(self) -> None:
        """Durations moved on: repaint that column."""
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, DURATION), self.index(last, DURATION))

    def row_of(self, incident_id: str) -> int | None:
        """The source row of an incident."""
        return next((i for i, r in enumerate(self._rows) if r["id"] == incident_id), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEV:
                return severity(row["severity"]).definition
            services = ", ".join(row["services"]) or "no services named"
            commander = row["commander"] or "no commander"
            status = STATUS_LABELS[row["status"]]
            title = reveal(str(row["title"]))
            return f"{title}\n{status} · {reveal(services)}\nCommander: {reveal(commander)}"
        if column == SEV and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(SEVERITY_COLORS[row["severity"]]))
        if column == SEV and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("white"))
        if column == SEV and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == IncidentIdRole:
            return row["id"]
        if role == OrderRole:
            return order_key(row)
        return None

    def _display(self, row: dict[str, Any], column: int) -> str:
        if column == SEV:
            return str(row["severity"])
        if column == TITLE:
            return reveal(str(row["title"]))  # hidden characters shown, not obeyed
        if column == STATUS:
            return str(row["status"]).capitalize()
        started = row["started_at"]
        if started is None:
            return "—"
        return format_duration((row["resolved_at"] or self._clock()) - started)


def order_key(row: dict[str, Any]) -> tuple[int, int, int]:
    """Display order: active first, worst severity first, newest first."""
    active = row["status"] in ACTIVE_STATUSES
    started = row["started_at"]
    level = severity(row["severity"]).level if active else 9
    return (0 if active else 1, level, -(to_micros(started) if started else 0))


class IncidentOrder(QSortFilterProxyModel):
    """Hides closed incidents unless asked for (the model keeps the display order)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.show_closed = False

    def set_show_closed(self, show: bool) -> None:
        """Show (or hide) closed incidents."""
        self.beginFilterChange()
        self.show_closed = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.show_closed:
            return True
        model = self.sourceModel()
        status = model.index(source_row, STATUS, source_parent).data()
        return bool(status != "Closed")


class SeverityBadgeDelegate(QStyledItemDelegate):
    """Draws the severity as a badge inside the cell, so a selected row keeps its colour
    (the selection highlight fills the cell around the badge, never over it)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        opt.text = ""
        opt.backgroundBrush = QBrush()
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        badge = opt.rect.adjusted(3, 3, -3, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(brush if isinstance(brush, QBrush) else QBrush(QColor("#757575")))
        painter.drawRoundedRect(badge, 3, 3)
        font = opt.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class IncidentList(QWidget):
    """The incident list panel.

    Signals:
        selected(str): the user picked an incident (its id).
    """

    selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IncidentListModel(self)
        self.order = IncidentOrder(self)
        self.order.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setObjectName("IncidentListView")
        self.view.setAccessibleName("Incidents")
        self.view.setModel(self.order)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setItemDelegateForColumn(SEV, SeverityBadgeDelegate(self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (SEV, STATUS, DURATION):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._ticker = QTimer(self)
        self._ticker.setInterval(30_000)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Update the list from the Desk's incident rows."""
        self.model.set_rows(rows)

    def select(self, incident_id: str) -> bool:
        """Select an incident; False when it is not in the list."""
        row = self.model.row_of(incident_id)
        if row is None:
            return False
        index = self.order.mapFromSource(self.model.index(row, TITLE))
        if not index.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def select_first(self) -> None:
        """Select the top row (the most urgent incident), if the list shows any."""
        if self.order.index(0, 0).isValid():
            self.view.selectRow(0)

    def set_show_closed(self, show: bool) -> None:
        """Show closed incidents too, or only the open ones."""
        self.order.set_show_closed(show)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.selected.emit(str(current.data(IncidentIdRole)))
