"""Events that could not be read: the status bar's count, and the Diagnostics view.

Rows from the shared database or an archive that failed the trust boundary are kept aside
in the local store (never applied). The status bar says ``N events could not be read`` while
there are any; a click opens a dialog listing each one (id, author, device, kind, reason,
where it came from) with a Copy button for a bug report. The count and the list are read on
the store worker, like every Desk call.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.journal.sync_state import SyncStatus
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.widgets.table_model import Index, RowsTableModel

COLUMNS = (
    ("event_id", "Id"),
    ("author", "Author"),
    ("device", "Device"),
    ("kind", "Kind"),
    ("reason", "Reason"),
    ("source", "Source"),
)


def count_text(count: int) -> str:
    """``N events could not be read`` (empty for none)."""
    return SyncStatus("", quarantined=count).quarantined_text or ""


def source_text(row: dict[str, Any]) -> str:
    """``server (seq 42)`` or ``archive (FILE:LINE)``."""
    where = f"seq {row['source_ref']}" if row["source"] == "server" else row["source_ref"]
    return f"{row['source']} ({where})"


def rows_text(rows: list[dict[str, Any]]) -> str:
    """The rows as plain text for the clipboard: one line each, fields tab-separated."""
    lines = ["\t".join(title for _key, title in COLUMNS) + "\tWhen"]
    for row in rows:
        fields = [source_text(row) if key == "source" else str(row[key]) for key, _t in COLUMNS]
        lines.append("\t".join([*fields, str(row["quarantined_at"])]))
    return "\n".join(lines) + "\n"


class QuarantineLabel(QLabel):
    """The status bar's ``N events could not be read``: hidden while there are none.

    Signals:
        clicked(): the user clicked it (the window opens the Diagnostics view).
    """

    clicked = Signal()

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuarantineStatus")
        self.setAccessibleName("Events that could not be read")
        self.setToolTip(
            "Rows from the shared database or an archive that this workstation could not "
            "read: kept aside, never applied. Click to see them."
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setContentsMargins(6, 0, 6, 0)
        self._client = client
        self.count = 0
        self.hide()

    def refresh(self) -> None:
        """Ask the Desk (on the store worker) how many rows are kept aside."""
        self._client.call(lambda d: d.exchange.quarantined_count(), self.set_count, lambda _e: None)

    def set_count(self, count: int) -> None:
        """Show this count (hidden for none)."""
        self.count = count
        self.setText(f"⚠ {count_text(count)}" if count else "")
        self.setVisible(count > 0)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class QuarantineModel(RowsTableModel):
    """The quarantined rows (plain dicts, as ``QuarantinedRow.as_json`` gives them)."""

    COLUMNS = tuple(title for _key, title in COLUMNS)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows shown."""
        return self._rows

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Show these rows (the list is read whole each time the view opens)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if key == "source":
                return source_text(row)
            return str(row[key] or "—")
        return None


class QuarantineDialog(QDialog):
    """Diagnostics: the events that could not be read, and why; Copy puts them on the
    clipboard.

    Args:
        client: the window's Desk client (the list is read on its worker).
        parent: the main window.
    """

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Diagnostics — events that could not be read")
        self.setObjectName("QuarantineDialog")
        self.resize(1140, 440)
        self._client = client
        self.heading = QLabel("Loading…")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.explanation = QLabel(
            "These rows came from the shared database or an archive and break the rules "
            "every event must keep. They are kept here exactly as received and never "
            "applied: nothing else was held up. A newer IncidentDesk may be able to read "
            "them; otherwise send the list to whoever runs the shared database."
        )
        self.explanation.setWordWrap(True)
        self.explanation.setProperty("muted", True)
        self.model = QuarantineModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Events that could not be read")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((280, 110, 110, 130, 0, 150)):
            if width:
                self.table.setColumnWidth(column, width)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the list to the clipboard (tab-separated)")
        self.copy_button.setEnabled(False)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        """Read the list (on the store worker)."""

        def read(desk: Any) -> list[dict[str, Any]]:
            return [row.as_json() for row in desk.exchange.quarantined()]

        self._client.call(read, self._show, self._failed)

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        self.heading.setText(f"{count_text(len(rows))}." if rows else "Every event could be read.")
        self.copy_button.setEnabled(bool(rows))

    def _failed(self, error: BaseException) -> None:
        self.heading.setText(f"The list could not be read: {error}")

    def copy(self) -> None:
        """Put the list on the clipboard."""
        QGuiApplication.clipboard().setText(rows_text(self.model.rows))
        self.heading.setText(f"{count_text(len(self.model.rows))}. Copied to the clipboard.")
