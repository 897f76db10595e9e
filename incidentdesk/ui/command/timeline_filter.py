"""The timeline's filters: kind, author, pinned and text; rows keep the timeline's order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from incidentdesk.ui.command.timeline_model import TimelineModel, search_text
from incidentdesk.ui.widgets.table_model import Index


class TimelineFilter(QSortFilterProxyModel):
    """Filters by kind, author, pinned and text; rows keep the timeline's order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.kinds: frozenset[str] = frozenset()  # empty: every kind
        self.author: str | None = None
        self.pinned_only = False
        self.needle = ""

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.kinds or self.author or self.pinned_only or self.needle)

    def set_filters(
        self,
        kinds: frozenset[str] | None = None,
        author: str | bool | None = False,
        pinned_only: bool | None = None,
        text: str | None = None,
    ) -> None:
        """Change some filters (arguments left out keep their value)."""
        self.beginFilterChange()
        if kinds is not None:
            self.kinds = kinds
        if author is not False:
            self.author = author or None  # type: ignore[assignment]
        if pinned_only is not None:
            self.pinned_only = pinned_only
        if text is not None:
            self.needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Filtering nothing, a row here is the same row of the timeline: ask it directly,
        # without mapping the index (which asks the timeline, in Python, to make one). A
        # paint asks each visible cell for seven roles.
        if not self.active and index.isValid():
            model = self.sourceModel()
            assert isinstance(model, TimelineModel)
            return model.data_at(index.row(), index.column(), role)
        return super().data(index, role)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.active:
            return True
        model = self.sourceModel()
        assert isinstance(model, TimelineModel)
        row = model.row_at(source_row)
        if self.kinds and row.kind not in self.kinds:
            return False
        if self.author and row.event.author != self.author:
            return False
        if self.pinned_only and not row.pinned:
            return False
        if self.needle:
            return self.needle in search_text(row).casefold()
        return True
