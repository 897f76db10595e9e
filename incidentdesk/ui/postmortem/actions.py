"""The post-mortem's action items: an editable table, and a row to add one.

Edits do not write anything themselves: the model asks (``edit_requested``) and the panel
sends the change to the Desk; the table shows the Desk's answer when it comes back. Overdue
items (open, due before today) stand out in the error colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.postmortem.model import (
    ACTION_TYPES,
    ITEM_STATUS_LABELS,
    ITEM_STATUSES,
    PRIORITIES,
    ActionItem,
)
from incidentdesk.ui.common.style import ERROR_COLOR
from incidentdesk.ui.widgets.table_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Description", "Type", "Owner", "Due", "Priority", "Status", "Tracker URL")
FIELDS = ("description", "type", "owner", "due", "priority", "status", "tracker_url")
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "type": tuple((t, t) for t in ACTION_TYPES),
    "priority": tuple((p, p) for p in PRIORITIES),
    "status": tuple((s, ITEM_STATUS_LABELS[s]) for s in ITEM_STATUSES),
}
OVERDUE_TINT = 40  # alpha of the error colour behind an overdue row


def _tint(color: str, alpha: int) -> QColor:
    tinted = QColor(color)
    tinted.setAlpha(alpha)
    return tinted


NO_OWNER = "—"  # shown for an item nobody has taken yet (made from the timeline)


def cell_text(item: ActionItem, field: str) -> str:
    """An item's field as the table shows it."""
    if field == "due":
        return "" if item.due is None else item.due.isoformat()
    if field == "status":
        return ITEM_STATUS_LABELS.get(item.status, item.status)
    if field == "tracker_url":
        return item.tracker_url or ""
    return str(getattr(item, field))


class ActionItemsModel(RowsTableModel):
    """One row per action item, every column editable.

    Signals:
        edit_requested(str, str, object): (item id, field, new value) to save.
    """

    COLUMNS = COLUMNS

    edit_requested = Signal(str, str, object)
    ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
    FIELD_VALUE_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ActionItem] = []
        self._today = date.today()
        self.editable = True

    def set_items(self, items: Sequence[ActionItem], today: date) -> None:
        """Show these items (rows inserted, removed or changed in place by id)."""
        self._today = today
        new = list(items)
        if [i.id for i in new] == [i.id for i in self._rows]:
            for row, (old, item) in enumerate(zip(self._rows, new, strict=True)):
                if old != item:
                    self._rows[row] = item
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        old_ids = [i.id for i in self._rows]
        if [i.id for i in new[: len(old_ids)]] == old_ids:  # appended at the end
            self.beginInsertRows(QModelIndex(), len(old_ids), len(new) - 1)
            self._rows = new
            self.endInsertRows()
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def item_at(self, row: int) -> ActionItem:
        """The item in a row."""
        return self._rows[row]

    def overdue_rows(self) -> list[int]:
        """Rows of items that are open and past their due date."""
        return [n for n, i in enumerate(self._rows) if i.overdue(self._today)]

    # ------------------------------------------------------------ model

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if self.editable else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        item = self._rows[index.row()]
        field = FIELDS[index.column()]
        overdue = item.overdue(self._today)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            text = cell_text(item, field)
            if role == Qt.ItemDataRole.DisplayRole and field == "due" and overdue:
                return f"{text} (overdue)"
            if role == Qt.ItemDataRole.DisplayRole and field == "owner" and not text:
                return NO_OWNER
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            if field == "owner" and not item.owner:
                return "Nobody owns this yet: double-click to name an owner."
            if overdue:
                return f"Overdue: due {cell_text(item, 'due')}, still {cell_text(item, 'status')}"
            return item.description if field == "description" else None
        if role == Qt.ItemDataRole.BackgroundRole and overdue:
            return QBrush(_tint(ERROR_COLOR, OVERDUE_TINT))
        if role == Qt.ItemDataRole.ForegroundRole and overdue and field == "due":
            return QBrush(QColor(ERROR_COLOR))
        if role == Qt.ItemDataRole.FontRole and overdue and field == "due":
            font = QFont()
            font.setBold(True)
            return font
        if role == self.ITEM_ROLE:
            return item.id
        if role == self.FIELD_VALUE_ROLE:
            return getattr(item, field)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.editable:
            return False
        if not 0 <= index.row() < len(self._rows):
            return False
        item = self._rows[index.row()]
        field = FIELDS[index.column()]
        text = "" if value is None else str(value).strip()
        if text == cell_text(item, field):
            return False
        new: Any = text
        if field in ("due", "tracker_url") and not text:
            new = None
        self.edit_requested.emit(item.id, field, new)
        return True


class ActionItemDelegate(QStyledItemDelegate):
    """Choices as combo boxes; the owner with a completer of known people."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.people: list[str] = []

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        field = FIELDS[index.column()]
        if field in CHOICES:
            combo = QComboBox(parent)
            for key, label in CHOICES[field]:
                combo.addItem(label, key)
            return combo
        editor = QLineEdit(parent)
        if field == "owner":
            completer = QCompleter(self.people, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        elif field == "due":
            editor.setPlaceholderText("YYYY-MM-DD (empty: no date)")
        elif field == "tracker_url":
            editor.setPlaceholderText("https://…")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            raw = index.data(ActionItemsModel.FIELD_VALUE_ROLE)
            editor.setCurrentIndex(max(0, editor.findData(raw)))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class ActionItemsPanel(QWidget):
    """The action items table with a row to add one.

    Signals:
        add_requested(str, str, str): (description, owner, type) of a new item.
        edit_requested(str, str, object): (item id, field, value) of a change.
    """

    add_requested = Signal(str, str, str)
    edit_requested = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ActionItemsModel(self)
        self.delegate = ActionItemDelegate(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Action items")
        self.table.setObjectName("ActionItems")
        self.table.setModel(self.model)
        self.table.setItemDelegate(self.delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.description_edit = QLineEdit(self)
        self.description_edit.setPlaceholderText("New action item: what will be done")
        self.description_edit.setAccessibleName("New action item")
        self.owner_edit = QLineEdit(self)
        self.owner_edit.setPlaceholderText("Owner")
        self.owner_edit.setAccessibleName("Owner of the new action item")
        self.type_box = QComboBox(self)
        for key, label in CHOICES["type"]:
            self.type_box.addItem(label, key)
        self.type_box.setCurrentIndex(self.type_box.findData("prevent"))
        self.add_button = QPushButton("Add", self)
        self.add_button.setToolTip("Due by default per the incident's severity; edit it after")
        self.add_button.clicked.connect(self._add)
        self.description_edit.returnPressed.connect(self._add)
        self.owner_edit.returnPressed.connect(self._add)
        self.model.edit_requested.connect(self.edit_requested)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.description_edit, 3)
        row.addWidget(self.owner_edit, 1)
        row.addWidget(self.type_box)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def set_people(self, people: Sequence[str]) -> None:
        """Names offered for owners: the catalog, the role history and known authors."""
        self.delegate.people = list(people)
        completer = QCompleter(list(people), self.owner_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.owner_edit.setCompleter(completer)

    def set_items(self, items: Sequence[ActionItem], today: date) -> None:
        """Show the incident's action items."""
        self.model.set_items(items, today)

    def select_item(self, item_id: str) -> bool:
        """Select and show one item's row; False when the table does not have it."""
        for row in range(self.model.rowCount()):
            if self.model.item_at(row).id == item_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _add(self) -> None:
        description = self.description_edit.text().strip()
        owner = self.owner_edit.text().strip()
        if not description:
            self.description_edit.setFocus()
            return
        if not owner:
            self.owner_edit.setFocus()
            return
        self.add_requested.emit(description, owner, str(self.type_box.currentData()))

    def clear_new(self) -> None:
        """Empty the add row after an item was saved."""
        self.description_edit.clear()
        self.owner_edit.clear()
        self.description_edit.setFocus()
