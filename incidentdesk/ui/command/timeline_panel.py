"""The live timeline panel: the table, its filters, pinning and corrections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.journal.events import Event
from incidentdesk.ui.command.recorder_delegate import RecorderDelegate
from incidentdesk.ui.command.timeline_filter import TimelineFilter
from incidentdesk.ui.command.timeline_model import (
    AUTHOR,
    KIND,
    KIND_LABELS,
    TEXT,
    TIME,
    EventIdRole,
    TimelineModel,
)
from incidentdesk.ui.command.timeline_rows import PreparedRows, prepare
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.postmortem.action_item_dialog import ActionItemDialog

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import IncidentSnapshot

ALL_AUTHORS = "Everyone"
# Rows added per turn of the event loop while a long incident fills in (each turn also
# runs the filter over its rows: 10-20 ms for 10,000 on this 2-core machine).
FILL_BATCH = 10_000


class TimelinePanel(QWidget):
    """The incident's timeline with filters; entries arrive live without a reload.

    Signals:
        message(str): something for the status bar.
        action_item_requested(str, str): (incident id, item id) of an action item to open.
        utc_toggled(bool): times now show in UTC (True) or local time.
    """

    message = Signal(str)
    action_item_requested = Signal(str, str)
    utc_toggled = Signal(bool)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.model = TimelineModel(self)
        self.proxy = TimelineFilter(self)
        self.proxy.setSourceModel(self.model)
        self._anchor: QPersistentModelIndex | None = None
        self._follow = True
        self._people: list[str] = []
        self.item_dialog: ActionItemDialog | None = None
        self._filling: object | None = None  # the fill-in under way (see fill_in)

        self.view = QTableView(self)
        self.view.setObjectName("TimelineView")
        self.view.setAccessibleName("Timeline")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Rows just taller than a line and its 16-pixel icon: at 1280×720 more of them show.
        vertical.setDefaultSectionSize(max(self.fontMetrics().height() + 6, 20))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(TIME, 92)
        self.view.setColumnWidth(KIND, 118)
        self.view.setColumnWidth(AUTHOR, 120)
        self.view.setItemDelegateForColumn(AUTHOR, RecorderDelegate(self.view))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda _index: self.open_action_item())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_filters())
        layout.addWidget(self.view, 1)
        self._build_actions()

        bar = self.view.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._scrolled)
        self.proxy.rowsAboutToBeInserted.connect(self._before_insert)
        self.proxy.rowsInserted.connect(self._after_insert)

    # ------------------------------------------------------------ building

    def _build_filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.kind_button = QToolButton(self)
        self.kind_button.setText("All kinds")
        self.kind_button.setToolTip("Show only some kinds of entries")
        self.kind_button.setAccessibleName("Filter by kind")
        self.kind_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.kind_button)
        self.kind_actions: dict[str, QAction] = {}
        for key, label in KIND_LABELS.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.toggled.connect(self._kinds_changed)
            self.kind_actions[key] = action
        self.kind_button.setMenu(menu)

        self.author_box = QComboBox(self)
        self.author_box.setAccessibleName("Filter by author")
        self.author_box.addItem(ALL_AUTHORS)
        self.author_box.currentTextChanged.connect(self._author_changed)

        self.pinned_box = QCheckBox("Pinned only", self)
        self.pinned_box.toggled.connect(lambda on: self.proxy.set_filters(pinned_only=on))

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search the timeline (Ctrl+F)")
        self.search.setAccessibleName("Search the timeline")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))

        self.utc_box = QCheckBox("UTC", self)
        self.utc_box.setToolTip("Show times in UTC instead of local time")
        self.utc_box.toggled.connect(self.model.set_utc)
        self.utc_box.toggled.connect(self.utc_toggled)

        bar.addWidget(self.kind_button)
        bar.addWidget(self.author_box)
        bar.addWidget(self.pinned_box)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.utc_box)
        return bar

    def _build_actions(self) -> None:
        self.pin_action = QAction("Pin / unpin entry", self)
        self.pin_action.setShortcut(QKeySequence("Ctrl+P"))
        self.pin_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.pin_action.triggered.connect(self.toggle_pin)
        self.correct_action = QAction("Correct entry…", self)
        self.correct_action.setShortcut(QKeySequence("Ctrl+E"))
        self.correct_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.correct_action.triggered.connect(self.correct_selected)
        self.copy_action = QAction("Copy entry", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self._copy_selected)
        self.open_item_action = QAction("Open action item", self)
        self.open_item_action.triggered.connect(self.open_action_item)
        self.make_item_action = QAction("Make action item…", self)
        self.make_item_action.triggered.connect(self.make_action_item)
        find = QAction("Find in timeline", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        find.triggered.connect(self._focus_search)
        for action in (self.pin_action, self.correct_action, self.copy_action, find):
            self.addAction(action)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def is_utc(self) -> bool:
        """Whether times show in UTC."""
        return self.utc_box.isChecked()

    def set_utc(self, utc: bool) -> None:
        """Show times in UTC (True) or local time."""
        self.utc_box.setChecked(utc)

    def entry_actions(self) -> list[QAction]:
        """The actions on the selected entry that the window's menu offers (pin, correct)."""
        return [self.pin_action, self.correct_action]

    # ------------------------------------------------------------ feeding

    def show_incident(self, incident_id: str | None, snapshot: IncidentSnapshot | None) -> None:
        """Show an incident from a full snapshot (or nothing)."""
        self._stop_filling()
        if incident_id is None or snapshot is None:
            self.model.clear()
        else:
            self.model.load(incident_id, snapshot)
            self._follow = True
            self.view.scrollToBottom()
            self._load_identities()
        self._refresh_authors()

    def _load_identities(self) -> None:
        # Off the GUI thread: the catalog's other names of each person, so a login that is
        # the author's own handle is not shown as another recorder.
        self.client.call(lambda desk: desk.catalog.identities(), self.model.set_identities)

    def show_latest(self, incident_id: str, latest: list[Event], effects: list[Event]) -> None:
        """Show an incident's latest entries at once; :meth:`complete` adds the rest."""
        self.show_prepared(incident_id, prepare(latest, self.model.identities, 0, effects))

    def show_prepared(self, incident_id: str, prepared: PreparedRows) -> None:
        """Show an incident from rows made on the worker (its latest entries, or all)."""
        self._stop_filling()
        self.model.load_prepared(incident_id, prepared)
        self._follow = True
        self.view.scrollToBottom()
        self._load_identities()
        self._refresh_authors()

    def complete(self, snapshot: IncidentSnapshot) -> None:
        """Add the rest of the incident's journal (older entries above, keeping the view)."""
        self.model.complete(snapshot)
        self._refresh_authors()

    def fill_in(
        self, prepared: PreparedRows, done: Callable[[], None], batch: int = FILL_BATCH
    ) -> None:
        """Add rows made on the worker a batch at a time, each batch in its own turn of the
        event loop, so painting, typing and live entries go on meanwhile; ``done()`` runs
        once every row is in (not if another incident is shown first).

        While the reader follows the newest entries, the rows going in above them do not
        show: the timeline is not repainted after each batch (a paint costs about as much as
        a batch), only once at the end, or as soon as the reader scrolls.
        """
        fresh = self.model.begin_prepared(prepared)
        token = self._filling = object()
        incident = self.model.incident_id
        # Newest first: the rows nearest the ones on screen arrive first.
        batches = [fresh[max(0, end - batch) : end] for end in range(len(fresh), 0, -batch)]
        if self._follow and len(batches) > 1:
            self.view.viewport().setUpdatesEnabled(False)

        def step() -> None:
            if self._filling is not token or self.model.incident_id != incident:
                return  # another incident was shown meanwhile
            if batches:
                self.model.insert_rows(batches.pop(0))
                QTimer.singleShot(0, step)
                return
            self._stop_filling()
            self.model.end_prepared(prepared, fresh)
            self._refresh_authors()
            done()

        step()

    def _stop_filling(self) -> None:
        self._filling = None
        self.view.viewport().setUpdatesEnabled(True)  # repaints if it was held back

    def apply_prepared(self, prepared: PreparedRows) -> None:
        """Add rows made on the worker since the last ones, keeping scroll and selection."""
        before = self.model.rowCount()
        self.model.apply_prepared(prepared)
        if self.model.rowCount() != before:
            self._refresh_authors()

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        # Rows arrived or the view was resized: keep following the newest entry.
        if self._follow:
            self.view.verticalScrollBar().setValue(maximum)

    def _scrolled(self, value: int) -> None:
        self._follow = value >= self.view.verticalScrollBar().maximum() - 2
        if not self._follow:
            self.view.viewport().setUpdatesEnabled(True)  # a fill-in shows from now on

    def apply(self, snapshot: IncidentSnapshot) -> None:
        """Add what arrived since the last snapshot, keeping scroll and selection."""
        before = self.model.rowCount()
        self.model.apply(snapshot)
        if self.model.rowCount() != before:
            self._refresh_authors()

    def selected_event_id(self) -> str | None:
        """The id of the selected entry, if any."""
        rows = self.view.selectionModel().selectedRows()
        return str(rows[0].data(EventIdRole)) if rows else None

    # ------------------------------------------------------------ live insertion

    def _before_insert(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        top = self.view.indexAt(self.view.viewport().rect().topLeft())
        self._anchor = QPersistentModelIndex(top) if top.isValid() else None

    def _after_insert(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._follow:
            self.view.scrollToBottom()
        elif self._anchor is not None and self._anchor.isValid():
            # Something was inserted above: keep the row the reader was looking at in place.
            anchor = self.proxy.index(self._anchor.row(), self._anchor.column())
            self.view.scrollTo(anchor, QAbstractItemView.ScrollHint.PositionAtTop)
        self._anchor = None

    # ------------------------------------------------------------ filters

    def _kinds_changed(self) -> None:
        kinds = frozenset(k for k, a in self.kind_actions.items() if a.isChecked())
        names = [KIND_LABELS[k] for k in KIND_LABELS if k in kinds]
        self.kind_button.setText(
            ", ".join(names)
            if 0 < len(names) <= 2
            else (f"{len(names)} kinds" if names else "All kinds")
        )
        self.proxy.set_filters(kinds=kinds)

    def _author_changed(self, text: str) -> None:
        self.proxy.set_filters(author=None if text == ALL_AUTHORS else text)

    def _refresh_authors(self) -> None:
        current = self.author_box.currentText()
        authors = self.model.authors()
        if [self.author_box.itemText(i) for i in range(1, self.author_box.count())] == authors:
            return
        self.author_box.blockSignals(True)
        self.author_box.clear()
        self.author_box.addItems([ALL_AUTHORS, *authors])
        self.author_box.setCurrentText(current if current in authors else ALL_AUTHORS)
        self.author_box.blockSignals(False)

    # ------------------------------------------------------------ entry actions

    def toggle_pin(self) -> None:
        """Pin the selected entry, or unpin it if it is pinned."""
        index = self._selected_source()
        incident = self.model.incident_id
        if index is None or incident is None:
            self.message.emit("Select an entry to pin.")
            return
        row = self.model.row_at(index.row())
        pinned = not row.pinned
        event_id = row.event.id
        self.client.command(
            lambda d: d.incidents.pin(incident, event_id, pinned=pinned),
            lambda _r: self.message.emit("Pinned." if pinned else "Unpinned."),
            lambda e: self.message.emit(str(e)),
        )

    def correct_selected(self) -> None:
        """Ask for the corrected text of the selected note and record the correction."""
        index = self._selected_source()
        incident = self.model.incident_id
        if index is None or incident is None:
            return
        row = self.model.row_at(index.row())
        if row.event.kind != "note.added":
            self.message.emit("Only notes can be corrected.")
            return
        text, ok = QInputDialog.getMultiLineText(
            self, "Correct entry", "Corrected text (the original is kept):", row.text
        )
        if ok and text.strip() and text != row.text:
            event_id = row.event.id
            self.client.command(
                lambda d: d.incidents.correct_note(incident, event_id, text),
                lambda _r: self.message.emit("Corrected; the original is kept."),
                lambda e: self.message.emit(str(e)),
            )

    def _copy_selected(self) -> None:
        index = self._selected_source()
        if index is not None:
            row = self.model.row_at(index.row())
            stamp = self.model.data(self.model.index(index.row(), TIME))
            QGuiApplication.clipboard().setText(f"{stamp} {row.event.author}: {row.text}")

    def _selected_source(self) -> QModelIndex | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.mapToSource(rows[0]) if rows else None

    def _context_menu(self, position: QPoint) -> None:
        menu = self.context_menu()
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu | None:
        """The selected entry's menu (None with nothing selected)."""
        index = self._selected_source()
        if index is None:
            return None
        row = self.model.row_at(index.row())
        menu = QMenu(self)
        if row.item_id:
            menu.addAction(self.open_item_action)
        elif row.event.kind == "note.added" and row.kind == "action":
            menu.addAction(self.make_item_action)
        for action in (self.pin_action, self.correct_action, self.copy_action):
            menu.addAction(action)
        return menu

    # ------------------------------------------------------------ action items

    def set_people(self, people: list[str]) -> None:
        """Names offered as an action item's owner."""
        self._people = list(people)

    def open_action_item(self) -> None:
        """Open the post-mortem's action items at the item the selected note became."""
        index = self._selected_source()
        incident = self.model.incident_id
        if index is None or incident is None:
            return
        item_id = self.model.row_at(index.row()).item_id
        if item_id:
            self.action_item_requested.emit(incident, item_id)

    def make_action_item(self) -> ActionItemDialog | None:
        """Ask for the owner and due date of the selected action note, then make the item."""
        index = self._selected_source()
        incident = self.model.incident_id
        if index is None or incident is None:
            return None
        row = self.model.row_at(index.row())
        if row.event.kind != "note.added" or row.item_id:
            self.message.emit("Only a note that is not yet an action item can become one.")
            return None
        dialog = ActionItemDialog(row.text, today=local_today(), people=self._people, parent=self)
        note_id = row.event.id

        def chosen() -> None:
            description, owner, due = dialog.values()
            self.client.command(
                lambda d: d.action_items.make_from_note(
                    incident, note_id, description=description, owner=owner, due=due
                ),
                lambda _id: self.message.emit(
                    f"Action item made{f' for {owner}' if owner else ''}; double-click the "
                    "entry to open it."
                ),
                lambda e: self.message.emit(user_message(e)),
            )

        dialog.accepted.connect(chosen)
        self.item_dialog = dialog
        dialog.open()
        return dialog


def local_today() -> date:
    """The date on the commander's clock ("Friday" means the next one after it)."""
    return datetime.now().astimezone().date()


__all__ = ["TEXT", "TimelinePanel"]
