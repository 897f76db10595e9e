"""The live timeline as a Qt table model, updated incrementally from new events.

Rows are the incident's journal in the order things happened (``occurred_at``, then the fold
order), so a back-dated entry is inserted where it belongs. Corrections and pins are not rows
of their own: they change the row they point at (the journal keeps them; the command line's
``timeline`` shows them).
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from incidentdesk.core.escalation.page_status import PAGE_OUTCOME_KINDS, delivery_id, page_row
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.provenance import Identities, shown_recorder
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_utc
from incidentdesk.ui.command.timeline_rows import (
    PreparedRows,
    TimelineRow,
    apply_effect,
    effect_target,
    prepare,
)
from incidentdesk.ui.common.resources import icon
from incidentdesk.ui.widgets.table_model import Index, RowsTableModel

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import IncidentSnapshot


COLUMNS = ("Time", "Kind", "Author", "Entry")
TIME, KIND, AUTHOR, TEXT = range(4)

ITEM_LABEL = "Action item"  # the kind column of a note that has become an action item
EventIdRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2  # the filter kind: note, decision, …, role, status
AuthorRole = Qt.ItemDataRole.UserRole + 3
PinnedRole = Qt.ItemDataRole.UserRole + 4
SearchTextRole = Qt.ItemDataRole.UserRole + 5
# Who the shared server says recorded the entry, where that is not the author (else None).
RecorderRole = Qt.ItemDataRole.UserRole + 6

_ANSWERED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.AccessibleTextRole,
        EventIdRole,
        KindRole,
        AuthorRole,
        PinnedRole,
        SearchTextRole,
        RecorderRole,
    }
)

# Filter kinds and how they are labelled in the kind column and the filter menu.
KIND_LABELS = {
    "note": "Note",
    "decision": "Decision",
    "action": "Action",
    "observation": "Observation",
    "update": "Update",
    "role": "Role",
    "status": "Status",
    "severity": "Severity",
    "milestone": "Milestone",
    "declared": "Declared",
    "escalation": "Escalation",
}


class TimelineModel(RowsTableModel):
    """An incident's timeline; feed it snapshots with :meth:`apply`."""

    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[TimelineRow] = []
        self._keys: list[tuple[int, int, str, str]] = []
        self._by_id: dict[str, TimelineRow] = {}
        # One row per page or chat post: its outcome events by escalation or post id (kept
        # even before the request's row is loaded), and the request's row.
        self._outcomes: dict[str, dict[str, Event]] = {}
        self._page_rows: dict[str, TimelineRow] = {}
        self.incident_id: str | None = None
        self.seq = 0  # the journal position this model reflects
        self.utc = False
        self._authors: list[str] | None = None  # cached; dropped when rows arrive
        self._bold = QFont()
        self._bold.setBold(True)
        self.identities: Identities = {}  # the catalog's other names of each person

    # ------------------------------------------------------------ feeding

    def clear(self) -> None:
        """Show no incident."""
        self.beginResetModel()
        self._rows, self._keys, self._by_id = [], [], {}
        self._outcomes, self._page_rows = {}, {}
        self.incident_id, self.seq = None, 0
        self._authors = None
        self.endResetModel()

    def load(self, incident_id: str, snapshot: IncidentSnapshot) -> None:
        """Show another incident from its whole journal (the one time the model resets)."""
        self.load_prepared(incident_id, prepare(snapshot.events, self.identities, snapshot.seq))

    def load_latest(self, incident_id: str, latest: list[Event], effects: list[Event]) -> None:
        """Show another incident from its latest entries (and all its corrections and pins):
        enough to paint at once; :meth:`complete` adds the rest."""
        self.load_prepared(incident_id, prepare(latest, self.identities, 0, effects))

    def load_prepared(self, incident_id: str, prepared: PreparedRows) -> None:
        """Show another incident from rows :func:`prepare` made (a reset)."""
        self.beginResetModel()
        self.incident_id, self.seq = incident_id, prepared.seq
        self._authors = None
        self._outcomes, self._page_rows = {}, {}
        for event in prepared.outcomes:
            self._page_outcome(event, notify=False)
        self._rows = list(prepared.rows)
        self._keys = [r.sort_key for r in self._rows]
        self._by_id = {r.event.id: r for r in self._rows}
        self._adopt_pages(self._rows)  # the rows came with their corrections and pins
        self.endResetModel()

    def complete(self, snapshot: IncidentSnapshot) -> None:
        """Add everything :meth:`load_latest` left out: older rows as one block at the top,
        anything newer in place. No reset, so scroll position and selection stay."""
        self.apply(snapshot)

    def apply(self, snapshot: IncidentSnapshot) -> None:
        """Add the events that arrived since the model's position (no reset)."""
        self.apply_prepared(prepare(snapshot.events, self.identities, snapshot.seq))

    def apply_prepared(self, prepared: PreparedRows) -> None:
        """Add rows :func:`prepare` made, all at once (see :meth:`begin_prepared`)."""
        fresh = self.begin_prepared(prepared)
        self.insert_rows(fresh)
        self.end_prepared(prepared, fresh)

    def begin_prepared(self, prepared: PreparedRows) -> list[TimelineRow]:
        """Take the pages' attempts and answers of prepared rows; the rows not shown yet,
        to give :meth:`insert_rows` (in one go or in batches), then :meth:`end_prepared`."""
        for event in prepared.outcomes:
            self._page_outcome(event, notify=True)
        return [r for r in prepared.rows if r.event.id not in self._by_id]

    def end_prepared(self, prepared: PreparedRows, fresh: list[TimelineRow]) -> None:
        """Apply the corrections, pins and items among prepared rows to the rows this
        model already showed (``fresh``, the new rows, came with theirs); move on."""
        new = {r.event.id for r in fresh}
        for event in prepared.effects:
            if effect_target(event) not in new:
                self._apply_effect(event, notify=True)
        self.seq = max(self.seq, prepared.seq)

    def insert_rows(self, rows: list[TimelineRow]) -> None:
        """Insert rows (sorted) where they belong: each run of rows that falls between two
        shown rows as one block, so a burst at the end or an older part at the top is one
        insertion. A row already shown is left out."""
        rows = [r for r in rows if r.event.id not in self._by_id]
        keys = [r.sort_key for r in rows]
        start = 0
        while start < len(rows):
            position = bisect.bisect_left(self._keys, keys[start])
            end = len(rows)
            if position < len(self._keys):
                end = bisect.bisect_left(keys, self._keys[position], start)
            block = rows[start:end]
            self.beginInsertRows(QModelIndex(), position, position + len(block) - 1)
            self._rows[position:position] = block
            self._keys[position:position] = keys[start:end]
            self._by_id.update((r.event.id, r) for r in block)
            self.endInsertRows()
            self._adopt_pages(block)
            if self._authors is not None:
                known = set(self._authors)
                if any(r.event.author not in known for r in block):
                    self._authors = None
            start = end

    def _adopt_pages(self, rows: list[TimelineRow]) -> None:
        for row in rows:
            if row.page_id is not None:
                self._page_rows[row.page_id] = row
                self._describe_page(row, row.page_id)

    def set_utc(self, utc: bool) -> None:
        """Show times in UTC (True) or local time."""
        if utc != self.utc:
            self.utc = utc
            self._changed_column(TIME)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, TIME, TIME)

    def set_identities(self, known: Identities) -> None:
        """The catalog's other names of each person (a login that is one of the author's
        own names is not shown as a different recorder)."""
        self.identities = known
        for row in self._rows:
            if row.event.recorded_by:
                row.recorder = shown_recorder(row.event, known)
        self._changed_column(AUTHOR)

    def _page_outcome(self, event: Event, notify: bool) -> None:
        """Fold a page's (or chat post's) attempt or answer into its row, in place."""
        if event.kind not in PAGE_OUTCOME_KINDS:
            return
        page_id = str(delivery_id(event))
        outcomes = self._outcomes.setdefault(page_id, {})
        if event.id in outcomes:
            return
        outcomes[event.id] = event
        row = self._page_rows.get(page_id)
        if row is None:
            return  # its request is not loaded yet: the row is made with this outcome
        self._describe_page(row, page_id)
        if notify:
            position = bisect.bisect_left(self._keys, row.sort_key)
            if position < len(self._rows) and self._rows[position] is row:
                self.dataChanged.emit(self.index(position, 0), self.index(position, TEXT))

    def _describe_page(self, row: TimelineRow, page_id: str) -> None:
        try:
            row.text, row.details = page_row(row.event, self._outcomes.get(page_id, {}).values())
        except (KeyError, TypeError, ValueError):  # a payload this version cannot read
            row.details = None

    def _apply_effect(self, event: Event, notify: bool) -> None:
        target = self._by_id.get(str(effect_target(event)))
        if target is None:
            return
        apply_effect(target, event)
        if notify:
            row = bisect.bisect_left(self._keys, target.sort_key)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _changed_column(self, column: int) -> None:
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, column), self.index(last, column))

    # ------------------------------------------------------------ reading

    def row_at(self, row: int) -> TimelineRow:
        """The entry shown in a row."""
        return self._rows[row]

    def row_of(self, event_id: str) -> int | None:
        """The row showing an event, if it is shown."""
        entry = self._by_id.get(event_id)
        return None if entry is None else bisect.bisect_left(self._keys, entry.sort_key)

    def authors(self) -> list[str]:
        """Everyone who wrote in this timeline."""
        if self._authors is None:
            self._authors = sorted({r.event.author for r in self._rows}, key=str.casefold)
        return self._authors

    # ------------------------------------------------------------ Qt model API

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == TIME:
            return "Time (UTC)" if self.utc else "Time"
        return COLUMNS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.data_at(index.row(), index.column(), role)

    def data_at(self, row_number: int, column: int, role: int) -> Any:
        """What :meth:`data` says of a cell, by row and column (the filter asks this way
        when it filters nothing: no index is made for the source cell)."""
        # A repaint asks each visible cell for a dozen roles; most have nothing here.
        if role not in _ANSWERED_ROLES or not 0 <= row_number < len(self._rows):
            return None
        row = self._rows[row_number]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == KIND:
                return icon(row.kind)
            if column == TEXT and row.pinned:
                return icon("pin")
            return None
        if role == Qt.ItemDataRole.FontRole and row.pinned and column == TEXT:
            return self._bold
        if role == EventIdRole:
            return row.event.id
        if role == KindRole:
            return row.kind
        if role == AuthorRole:
            return row.event.author
        if role == PinnedRole:
            return row.pinned
        if role == RecorderRole:
            return row.recorder
        if role == SearchTextRole:
            return search_text(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            by = f" (recorded by {reveal(row.recorder)})" if row.recorder else ""
            return f"{self._display(row, TIME)} {reveal(row.event.author)}{by}: {reveal(row.text)}"
        return None

    def _display(self, row: TimelineRow, column: int) -> str:
        if column == TIME:
            if row.clock is None or row.clock[0] != self.utc:
                row.clock = (self.utc, _clock(row.event.occurred_at, self.utc))
            return row.clock[1]
        if column == KIND:
            return ITEM_LABEL if row.item_id else KIND_LABELS.get(row.kind, row.kind)
        # Shown with hidden characters revealed (core.text.reveal): a right-to-left override
        # cannot reorder what a line says. The text itself is kept as typed.
        if column == AUTHOR:
            # The delegate paints the recorder part muted; this text is what copies and
            # screen readers get.
            shown = reveal(row.event.author)
            return shown + (f" · {reveal(row.recorder)}" if row.recorder else "")
        first, _, rest = row.text.partition("\n")
        shown = reveal(first) + (" …" if rest else "")
        return shown + (" (corrected)" if row.original_text else "")

    def _tooltip(self, row: TimelineRow, column: int) -> str | None:
        moment = row.event.occurred_at
        if column == TIME:
            local = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
            return f"{format_utc(moment)} UTC\n{local} local"
        if column == AUTHOR:
            return _provenance_tip(row)
        if column == TEXT:
            parts = [reveal(row.text)]
            if row.details:
                parts.append(f"\n{reveal(row.details)}")
            if row.original_text is not None:
                parts.append(f"\nCorrected. The original said:\n{reveal(row.original_text)}")
            if row.item_id:
                parts.append("\nTracked as an action item: double-click to open it.")
            return "\n".join(parts)
        return None


def search_text(row: TimelineRow) -> str:
    # What the search box looks in: the entry, what it said before a correction, its author
    # and, where shown, who recorded it.
    return f"{row.text}\n{row.original_text or ''}\n{row.event.author}\n{row.recorder or ''}"


def _provenance_tip(row: TimelineRow) -> str:
    event = row.event
    if event.recorded_by is None:
        return f"{event.author}\nNot on the shared server yet: written on this workstation."
    received = "" if event.received_at is None else f" at {format_utc(event.received_at)} UTC"
    if row.recorder is None:
        return f"{event.author}\nRecorded by {event.recorded_by} on the shared server{received}."
    return (
        f"Written for {event.author}\nRecorded by {event.recorded_by} on the shared server"
        f"{received} (the login that sent it; the author is what its workstation said)."
    )


def _clock(moment: datetime, utc: bool) -> str:
    shown = moment.astimezone(UTC) if utc else moment.astimezone()
    today = datetime.now(shown.tzinfo).date()
    return shown.strftime("%H:%M:%S" if shown.date() == today else "%b %d %H:%M")
