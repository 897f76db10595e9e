"""My action items: the open follow-ups one person owns, across every incident.

Overdue first, then by due date (the Desk's order); overdue rows stand out. Double-clicking
a row opens that incident's post-mortem. The list follows the change feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.postmortem.model import ITEM_STATUS_LABELS
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import ERROR_COLOR
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.widgets.inline_note import InlineError
from incidentdesk.ui.widgets.table_model import RowsTableModel

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.action_items import OwnedActionItem

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Due", "Action", "Priority", "Status", "Type", "Incident")


class MyActionItemsModel(RowsTableModel):
    """One row per action item owned by the person, across incidents."""

    COLUMNS = COLUMNS

    INCIDENT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OwnedActionItem] = []

    def set_rows(self, rows: Sequence[OwnedActionItem]) -> None:
        """Show these items (the Desk's order)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> OwnedActionItem:
        """The item in a row."""
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        owned = self._rows[index.row()]
        item = owned.item
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "Due":
                due = "no date" if item.due is None else item.due.isoformat()
                return f"{due} (overdue)" if owned.overdue else due
            if column == "Action":
                return item.description
            if column == "Priority":
                return item.priority
            if column == "Status":
                return ITEM_STATUS_LABELS.get(item.status, item.status)
            if column == "Type":
                return item.type
            return f"{owned.severity} · {owned.incident_title}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Incident":
                return f"{owned.incident_title} ({owned.incident_id})"
            return item.description if column == "Action" else None
        if role == Qt.ItemDataRole.BackgroundRole and owned.overdue:
            tint = QColor(ERROR_COLOR)
            tint.setAlpha(40)
            return QBrush(tint)
        if role == Qt.ItemDataRole.ForegroundRole and owned.overdue and column == "Due":
            return QBrush(QColor(ERROR_COLOR))
        if role == Qt.ItemDataRole.FontRole and owned.overdue and column == "Due":
            font = QFont()
            font.setBold(True)
            return font
        if role == self.INCIDENT_ROLE:
            return owned.incident_id
        return None


class MyActionItems(QWidget):
    """The action items one person owns, across incidents (the workstation's name first).

    Signals:
        open_requested(str): open the post-mortem of this incident.
    """

    open_requested = Signal(str)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MyActionItems")
        self.setWindowTitle("My action items — IncidentDesk")
        self.client = client
        self.model = MyActionItemsModel(self)
        self.owner_edit = QLineEdit(client.author, self)
        self.owner_edit.setAccessibleName("Owner")
        self.owner_edit.setPlaceholderText("Whose action items")
        self.closed_box = QCheckBox("Include done and won't do", self)
        self.summary = QLabel(self)
        self.error = InlineError(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.refresh)
        self.owner_edit.textChanged.connect(lambda _t: self._typing.start())
        self.closed_box.toggled.connect(lambda _on: self.refresh())
        client.incidents_changed.connect(lambda _ids: self.refresh())
        self._fetching = False
        self._refetch = False

        row = QHBoxLayout()
        row.addWidget(QLabel("Owner:", self))
        row.addWidget(self.owner_edit, 1)
        row.addWidget(self.closed_box)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        """Fetch the owner's items again (one fetch at a time)."""
        if self._fetching:
            self._refetch = True
            return
        owner = self.owner_edit.text().strip()
        if not owner:
            self.model.set_rows([])
            self.summary.setText("Type a name to see that person's action items.")
            return
        self._fetching = True
        closed = self.closed_box.isChecked()
        self.client.call(
            lambda d: d.action_items.owned_by(owner, include_closed=closed),
            lambda rows: self._arrived(owner, rows),
            self._failed,
        )

    def _arrived(self, owner: str, rows: list[OwnedActionItem]) -> None:
        self._fetching = False
        self.error.clear_message()
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r.overdue)
        self.summary.setText(
            f"{len(rows)} action item{'s' if len(rows) != 1 else ''} for {owner}"
            + (f", {overdue} overdue" if overdue else "")
        )
        if self._refetch:
            self._refetch = False
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._fetching = False
        self.error.show_message(user_message(error))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.model.row_at(index.row()).incident_id)
