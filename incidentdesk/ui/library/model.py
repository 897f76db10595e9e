"""The incident library's models: every incident as a sortable, filterable table, and search
hits with their matched words in bold (a model and the delegate that paints it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from incidentdesk.core.incident.lifecycle import ACTIVE_STATUSES, STATUS_LABELS, STATUSES
from incidentdesk.core.incident.severity import severity
from incidentdesk.core.library.search import SearchHit
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_duration, to_micros, utc_now
from incidentdesk.ui.common.style import SEVERITY_COLORS
from incidentdesk.ui.widgets.row_order import reorder
from incidentdesk.ui.widgets.table_model import Index, RowsTableModel

COLUMNS = ("Sev", "Incident", "Status", "Services", "Commander", "Started", "Duration", "Drill")
SEV, TITLE, STATUS, SERVICES, COMMANDER, STARTED, DURATION, DRILL = range(len(COLUMNS))
IncidentIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
EventIdRole = Qt.ItemDataRole.UserRole + 3
HtmlRole = Qt.ItemDataRole.UserRole + 4


def started_text(moment: datetime | None) -> str:
    """``2026-11-26 14:05`` in local time."""
    return "—" if moment is None else f"{moment.astimezone():%Y-%m-%d %H:%M}"


def duration_of(row: dict[str, Any], now: datetime) -> float | None:
    """Seconds from start to resolution (or to now while it runs)."""
    started: datetime | None = row["started_at"]
    if started is None:
        return None
    end: datetime = row["resolved_at"] or now
    return (end - started).total_seconds()


class LibraryModel(RowsTableModel):
    """Every incident (rows as the Desk's ``incidents(include_closed=True)`` returns them)."""

    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._now = utc_now()
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Bring the model to these rows: update in place, insert new, remove gone."""
        self._now = utc_now()
        wanted = {r["id"]: r for r in rows}
        for position in range(len(self._rows) - 1, -1, -1):
            if self._rows[position]["id"] not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        known = {r["id"]: i for i, r in enumerate(self._rows)}
        fresh = [r for i, r in wanted.items() if i not in known]
        if not self._rows and self._sort is not None:
            # The first load goes in already in order: no reordering of thousands of rows
            # (and refiltering them) right after inserting them.
            fresh = self._sorted(fresh)
        for incident_id, position in known.items():
            if self._rows[position] != wanted[incident_id]:
                self._rows[position] = wanted[incident_id]
                self.dataChanged.emit(self.index(position, 0), self.index(position, DRILL))
        if fresh:
            end = len(self._rows)
            self.beginInsertRows(QModelIndex(), end, end + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        self._by_id = wanted
        self._apply_sort()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Keep the rows sorted by a column (the model sorts itself: see ui/row_order.py)."""
        self._sort = (column, order)
        self._apply_sort()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        reorder(self, self._rows, self._sorted(self._rows), self._set_list)

    def _sorted(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert self._sort is not None
        column, order = self._sort
        return sorted(
            rows,
            key=lambda row: self._sort_value(row, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def _set_list(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def tick(self) -> None:
        """Running incidents' durations moved on: repaint that column."""
        self._now = utc_now()
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, DURATION), self.index(last, DURATION))

    def row_at(self, row: int) -> dict[str, Any]:
        """The incident row shown in a source row."""
        return self._rows[row]

    def row_by_id(self, incident_id: str) -> dict[str, Any] | None:
        """The row of an incident, if it is known."""
        return self._by_id.get(incident_id)

    def services(self) -> list[str]:
        """Every service named by some incident."""
        return sorted({s for r in self._rows for s in r["services"]}, key=str.casefold)

    def teams(self) -> list[str]:
        """Every team owning a service of some incident (from the service catalog)."""
        return sorted({t for r in self._rows for t in r.get("teams", ())}, key=str.casefold)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SortRole:
            return self._sort_value(row, column)
        if role == IncidentIdRole:
            return row["id"]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEV:
                return severity(row["severity"]).definition
            if column == STARTED and row["started_at"] is not None:
                return f"{row['started_at'].astimezone():%Y-%m-%d %H:%M:%S %Z}"
            return f"{reveal(str(row['title']))}\n{STATUS_LABELS[row['status']]}"
        if column == SEV and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(SEVERITY_COLORS[row["severity"]]))
        if column == SEV and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("white"))
        if column in (SEV, DRILL) and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _display(self, row: dict[str, Any], column: int) -> str:
        if column == SEV:
            return str(row["severity"])
        if column == TITLE:
            return reveal(str(row["title"]))  # hidden characters shown, not obeyed
        if column == STATUS:
            return STATUS_LABELS[row["status"]]
        if column == SERVICES:
            return reveal(", ".join(row["services"]))
        if column == COMMANDER:
            return reveal(str(row["commander"] or ""))
        if column == STARTED:
            return started_text(row["started_at"])
        if column == DURATION:
            seconds = duration_of(row, self._now)
            if seconds is None:
                return "—"
            text = format_duration(timedelta(seconds=seconds))
            return text if row["resolved_at"] else f"{text} (running)"
        return "Drill" if row["drill"] else ""

    def _sort_value(self, row: dict[str, Any], column: int) -> Any:
        if column == SEV:
            return severity(row["severity"]).level
        if column == STATUS:
            return STATUSES.index(row["status"])
        if column == STARTED:
            return to_micros(row["started_at"]) if row["started_at"] else 0
        if column == DURATION:
            seconds = duration_of(row, self._now)
            return -1.0 if seconds is None else seconds
        if column == DRILL:
            return int(bool(row["drill"]))
        return self._display(row, column).casefold()


FILTERS = ("severity", "status", "service", "team", "open_actions", "since", "until", "drills")


class LibraryFilter(QSortFilterProxyModel):
    """Filters by severity, status, service, team, start date and drill; sorts by any column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.severity: str | None = None
        self.status: str | None = None  # a status, "active", or None for all
        self.service: str | None = None
        self.team: str | None = None
        self.open_actions = False  # only incidents with open action items
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.drills = "shown"  # shown | hidden | only
        self._everything = True  # no filter set: every row passes without a look
        self.setDynamicSortFilter(True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's job (one Python sort, not a callback per
        comparison); this proxy keeps the source's order and only filters."""
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def set_filters(self, **changes: Any) -> None:
        """Change some filters (see :data:`FILTERS`)."""
        self.beginFilterChange()
        for name, value in changes.items():
            if name not in FILTERS:
                raise TypeError(f"unknown filter {name}")
            setattr(self, name, value)
        self._everything = not any(
            (self.severity, self.status, self.service, self.team, self.open_actions)
        ) and (self.since, self.until, self.drills) == (None, None, "shown")
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def accepts(self, row: dict[str, Any]) -> bool:
        """Whether an incident row passes the filters (search results use this too)."""
        if self.severity and row["severity"] != self.severity:
            return False
        if self.status == "active":
            if row["status"] not in ACTIVE_STATUSES:
                return False
        elif self.status and row["status"] != self.status:
            return False
        if self.service and self.service not in row["services"]:
            return False
        if self.team and self.team not in row.get("teams", ()):
            return False
        if self.open_actions and not row.get("open_actions"):
            return False
        started = row["started_at"]
        if self.since is not None and (started is None or started < self.since):
            return False
        if self.until is not None and (started is None or started >= self.until):
            return False
        if self.drills == "hidden" and row["drill"]:
            return False
        return not (self.drills == "only" and not row["drill"])

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._everything:
            return True
        model = self.sourceModel()
        assert isinstance(model, LibraryModel)
        return self.accepts(model.row_at(source_row))


def highlighted_html(snippet: str, spans: Iterable[tuple[int, int]]) -> str:
    """The snippet as HTML with the matched spans (start, end) in bold."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(snippet), e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, position = [], 0
    for start, end in merged:
        parts.append(escape(snippet[position:start]))
        parts.append(f"<b>{escape(snippet[start:end])}</b>")
        position = end
    parts.append(escape(snippet[position:]))
    return "".join(parts).replace("\n", " ")


class SearchResultsModel(QAbstractListModel):
    """Search hits: the incident on one line, the snippet with its matches in bold below."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []
        self.query = ""

    def set_hits(self, query: str, hits: list[SearchHit]) -> None:
        """Show these hits for ``query``."""
        self.beginResetModel()
        self.query, self.hits = query, list(hits)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.severity} {reveal(hit.title)}\n{hit.snippet}"
        if role == HtmlRole:
            color = SEVERITY_COLORS.get(hit.severity, "#757575")
            when = started_text(hit.started_at)
            status = STATUS_LABELS.get(hit.status, hit.status)
            return (
                f'<span style="background-color:{color}; color:white">'
                f"&nbsp;<b>{escape(hit.severity)}</b>&nbsp;</span> "
                f"<b>{escape(reveal(hit.title))}</b> <span class='meta'>· {escape(status)} · "
                f"started {escape(when)}</span><br>{highlighted_html(hit.snippet, hit.highlights)}"
            )
        if role == IncidentIdRole:
            return hit.incident_id
        if role == EventIdRole:
            return hit.event_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet
        return None


class HitDelegate(QStyledItemDelegate):
    """Paints a search hit as rich text (the matched words in bold)."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText).name()
        document.setDefaultStyleSheet(f".meta {{ color: {muted}; }}")
        document.setHtml(str(index.data(HtmlRole) or ""))
        document.setTextWidth(max(100, option.rect.width() - 12))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        assert isinstance(index, QModelIndex)
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        document = self._document(option, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.left() + 6, option.rect.top() + 6)
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        assert isinstance(index, QModelIndex)
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()) + 12, int(document.size().height()) + 12)
