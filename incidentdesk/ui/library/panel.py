"""The incident library: every incident in the local store, searchable, filterable, sortable.

Everything here is read from the local replica, so the library works the same offline; a line
says when the shared database last synced. Opening an incident shows its read-only review.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.lifecycle import ACTIVE_STATUSES, STATUS_LABELS, STATUSES
from incidentdesk.core.incident.severity import SEVERITIES
from incidentdesk.core.journal.sync_state import LOCAL_ONLY, OFFLINE, SyncStatus
from incidentdesk.core.library.search import SearchHit
from incidentdesk.core.plural import counted
from incidentdesk.ui.command.incident_list import SeverityBadgeDelegate
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.library.model import (
    COMMANDER,
    DRILL,
    DURATION,
    SERVICES,
    SEV,
    STARTED,
    STATUS,
    TITLE,
    EventIdRole,
    HitDelegate,
    IncidentIdRole,
    LibraryFilter,
    LibraryModel,
    SearchResultsModel,
)
from incidentdesk.ui.library.review import IncidentReview
from incidentdesk.ui.metrics.period_picker import PeriodPicker
from incidentdesk.ui.settings.sync_status import last_sync_text

SEARCH_DEBOUNCE_MS = 200
SEARCH_LIMIT = 100
DURATION_TICK_MS = 30_000  # running incidents' durations move on
DRILLS = {"Drills shown": "shown", "Drills hidden": "hidden", "Drills only": "only"}
ALL_TEAMS = "All teams"
ALL_SEVERITIES, ALL_STATUSES, ACTIVE, ALL_SERVICES = (
    "All severities",
    "All statuses",
    "Active",
    "All services",
)


def _refill(box: QComboBox, everything: str, names: list[str]) -> bool:
    """Offer ``names`` (after the "all" entry), keeping the choice; True if it was lost."""
    if [box.itemText(i) for i in range(1, box.count())] == names:
        return False
    current = box.currentText()
    box.blockSignals(True)
    box.clear()
    box.addItems([everything, *names])
    box.setCurrentText(current if current in names else everything)
    box.blockSignals(False)
    return current != box.currentText()


def sync_line(status: SyncStatus) -> str:
    """When the library's data last came from the shared database."""
    if status.state == LOCAL_ONLY:
        return "Local only · no shared database"
    synced = last_sync_text(status.last_sync).removesuffix(".")
    if status.state == OFFLINE:
        return f"Offline · {synced.lower()}"
    return f"{synced} · {status.label}"


class LibraryPanel(QWidget):
    """Every incident in the local store; search, filters, sorting; opens read-only reviews.

    The window feeds it the incident rows it already fetches (:meth:`set_rows`) and the sync
    status (:meth:`set_sync_status`); searches and drill changes go through the client.

    Signals:
        command_requested(str): open this incident in the command view.
        message(str): something for the status bar.
    """

    command_requested = Signal(str)
    postmortem_requested = Signal(str)
    message = Signal(str)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LibraryPanel")
        self.client = client
        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(STARTED, Qt.SortOrder.DescendingOrder)
        self.results = SearchResultsModel(self)
        self._hits: list[SearchHit] = []
        self._search_serial = 0  # answers to older queries are dropped
        self.searching = False

        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("LibrarySync")
        self.sync_label.setProperty("muted", True)
        self.count_label = QLabel(self)
        self.count_label.setProperty("muted", True)
        self.set_sync_status(SyncStatus(LOCAL_ONLY))

        self.table = self._build_table()
        self.results_view = self._build_results()
        self.lists = QStackedWidget(self)
        self.lists.addWidget(self.table)
        self.lists.addWidget(self.results_view)

        browser = self._build_browser()

        self.review = IncidentReview(client, self)
        self.review.back_requested.connect(self.show_browser)
        self.review.command_requested.connect(self.command_requested)
        self.review.postmortem_requested.connect(self.postmortem_requested)
        self.review.message.connect(self.message)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(browser)
        self.pages.addWidget(self.review)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._run_search)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._update_count()
        self._ticker = QTimer(self)
        self._ticker.setInterval(DURATION_TICK_MS)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()

    def _build_browser(self) -> QWidget:
        self.browser = browser = QWidget(self)
        layout = QVBoxLayout(browser)
        layout.setContentsMargins(6, 6, 6, 6)
        filter_row = self._build_filters()
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        search_row.addWidget(self.sync_label)
        layout.addLayout(search_row)
        filter_row.addStretch(1)
        layout.addLayout(filter_row)
        layout.addWidget(self.lists, 1)
        return browser

    # ------------------------------------------------------------ building

    def _build_filters(self) -> QHBoxLayout:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search titles, notes, post-mortems and action items")
        self.search.setAccessibleName("Search the library")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._query_changed)
        self.search.returnPressed.connect(self._run_search_now)

        self.severity_box = _combo(
            self, "Severity", [ALL_SEVERITIES, *(s.code for s in SEVERITIES)]
        )
        statuses = [ALL_STATUSES, ACTIVE, *(STATUS_LABELS[s] for s in STATUSES)]
        self.status_box = _combo(self, "Status", statuses)
        self.service_box = _combo(self, "Service", [ALL_SERVICES])
        self.team_box = _combo(self, "Team", [ALL_TEAMS])
        self.team_box.setToolTip("The team owning a service of the incident (service catalog)")
        self.actions_box = QCheckBox("Open action items", self)
        self.actions_box.setToolTip("Only incidents whose post-mortem has action items to do")
        self.actions_box.toggled.connect(self._filters_changed)
        self.period = PeriodPicker(self)
        self.drill_box = _combo(self, "Drills", list(DRILLS))
        boxes = (self.severity_box, self.status_box, self.service_box, self.team_box)
        for box in (*boxes, self.drill_box):
            box.currentIndexChanged.connect(self._filters_changed)
        self.period.changed.connect(self._filters_changed)

        bar = QHBoxLayout()
        for widget in (
            self.severity_box,
            self.status_box,
            self.service_box,
            self.team_box,
            self.actions_box,
            self.period,
            self.drill_box,
        ):
            bar.addWidget(widget)
        return bar

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("LibraryView")
        table.setAccessibleName("Incident library")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(STARTED, Qt.SortOrder.DescendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.setItemDelegateForColumn(SEV, SeverityBadgeDelegate(table))  # kept when selected
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (SEV, 54),
            (STATUS, 170),
            (SERVICES, 190),
            (COMMANDER, 120),
            (STARTED, 130),
            (DURATION, 120),
            (DRILL, 54),
        ):
            table.setColumnWidth(column, width)
        table.activated.connect(self._activated)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(lambda pos: self._context_menu(table, pos))
        return table

    def _build_results(self) -> QListView:
        view = QListView(self)
        view.setObjectName("SearchResults")
        view.setAccessibleName("Search results")
        view.setModel(self.results)
        view.setItemDelegate(HitDelegate(view))
        view.setAlternatingRowColors(True)
        view.setUniformItemSizes(False)
        view.setWordWrap(True)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.activated.connect(self._activated)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda pos: self._context_menu(view, pos))
        return view

    # ------------------------------------------------------------ feeding

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Every incident (the Desk's ``incidents(include_closed=True)``)."""
        self.model.set_rows(rows)
        changed = _refill(self.service_box, ALL_SERVICES, self.model.services())
        changed = _refill(self.team_box, ALL_TEAMS, self.model.teams()) or changed
        self.team_box.setVisible(self.team_box.count() > 1)
        if changed:
            self._filters_changed()
        self._show_hits()
        self._update_count()

    def reload(self) -> None:
        """Fetch every incident (the window normally feeds :meth:`set_rows` itself)."""
        self.client.call(lambda d: d.incidents.rows(include_closed=True), self.set_rows)

    def set_sync_status(self, status: SyncStatus) -> None:
        """Say when the data last came from the shared database."""
        self.sync_label.setText(sync_line(status))
        where = (
            "Every incident here is on this computer."
            if status.state == LOCAL_ONLY
            else "Every incident synced so far is on this computer."
        )
        self.sync_label.setToolTip(
            f"{where} Search, filters and reviews read that copy, so they work offline."
        )

    def on_incidents_changed(self, incident_ids: list[str]) -> None:
        """New events arrived: refresh the open review and a running search."""
        self.review.on_incidents_changed(incident_ids)
        if self.search.text().strip():
            self._search_timer.start()

    # ------------------------------------------------------------ filters

    def _filters_changed(self) -> None:
        sev = self.severity_box.currentText()
        status_text = self.status_box.currentText()
        status = {label: key for key, label in STATUS_LABELS.items()}.get(status_text)
        service = self.service_box.currentText()
        team = self.team_box.currentText()
        since, until = self.period.bounds()
        self.proxy.set_filters(
            severity=None if sev == ALL_SEVERITIES else sev,
            status="active" if status_text == ACTIVE else status,
            service=None if service == ALL_SERVICES else service,
            team=None if team == ALL_TEAMS else team,
            open_actions=self.actions_box.isChecked(),
            since=since,
            until=until,
            drills=DRILLS[self.drill_box.currentText()],
        )
        self._show_hits()
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if self.searching:
            query = self.results.query
            found = self.results.rowCount()
            text = f"{found} match{'es' if found != 1 else ''} for “{query}”"
            hidden = len(self._hits) - found
            self.count_label.setText(
                text + (f" ({hidden} hidden by the filters)" if hidden else "")
            )
        elif shown == total:
            self.count_label.setText(f"{total} incident{'s' if total != 1 else ''}")
        else:
            self.count_label.setText(
                f"{shown} of {counted(total, 'incident')} "
                f"{'matches' if shown == 1 else 'match'} the filters"
            )

    # ------------------------------------------------------------ search

    def _query_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()  # restarts: one search once typing pauses
        else:
            self._search_timer.stop()
            self._search_serial += 1
            self.searching = False
            self._hits = []
            self.results.set_hits("", [])
            self.lists.setCurrentWidget(self.table)
            self._update_count()

    def _run_search_now(self) -> None:
        if self.search.text().strip():
            self._search_timer.stop()
            self._run_search()

    def _run_search(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        self._search_serial += 1
        serial = self._search_serial
        self.client.call(
            lambda d: d.incidents.search(query, SEARCH_LIMIT),
            lambda hits: self._searched(serial, query, hits),
            lambda error: self._search_failed(serial, error),
        )

    def _searched(self, serial: int, query: str, hits: list[SearchHit]) -> None:
        if serial != self._search_serial:
            return  # the user typed on meanwhile
        self.searching = True
        self._hits = list(hits)
        self._show_hits(query)
        self.lists.setCurrentWidget(self.results_view)

    def _search_failed(self, serial: int, error: BaseException) -> None:
        if serial == self._search_serial:
            self.message.emit(f"Search failed: {error}")

    def _show_hits(self, query: str | None = None) -> None:
        if not self.searching:
            return
        shown = []
        for hit in self._hits:
            row = self.model.row_by_id(hit.incident_id)
            if row is None or self.proxy.accepts(row):
                shown.append(hit)
        self.results.set_hits(self.results.query if query is None else query, shown)
        self._update_count()

    # ------------------------------------------------------------ opening

    def _activated(self, index: QModelIndex) -> None:
        incident_id = index.data(IncidentIdRole)
        if incident_id:
            event_id = index.data(EventIdRole)
            self.open_review(str(incident_id), str(event_id) if event_id else None)

    def open_review(self, incident_id: str, event_id: str | None = None) -> None:
        """Show an incident's read-only review (``event_id``: select that entry)."""
        self.review.show_incident(incident_id, event_id)
        self.pages.setCurrentWidget(self.review)
        self.review.timeline.view.setFocus()

    def show_browser(self) -> None:
        """Back from a review to the list (or the search results)."""
        self.pages.setCurrentWidget(self.browser)
        self.lists.currentWidget().setFocus()  # type: ignore[union-attr]

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.show_browser()
        self.search.setFocus()
        self.search.selectAll()

    # ------------------------------------------------------------ drills

    def _context_menu(self, view: QAbstractItemView, position: QPoint) -> None:
        menu = self.context_menu(view.indexAt(position))
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(position))
            menu.deleteLater()

    def context_menu(self, index: QModelIndex) -> QMenu | None:
        """The actions on the incident of a table row or search hit (None: no incident)."""
        incident_id = index.data(IncidentIdRole) if index.isValid() else None
        row = self.model.row_by_id(str(incident_id)) if incident_id else None
        if row is None:
            return None
        menu = QMenu(self)
        menu.addAction("Open review", lambda: self._activated(index))
        if row["status"] in ACTIVE_STATUSES:
            menu.addAction("Open in command view", lambda: self.command_requested.emit(row["id"]))
        menu.addSeparator()
        drill = bool(row["drill"])
        label = "Not a drill" if drill else "Mark as drill"
        menu.addAction(label, lambda: self.set_drill(row["id"], not drill))
        return menu

    def set_drill(self, incident_id: str, drill: bool) -> None:
        """Mark an incident as a drill (left out of the metrics by default), or not."""
        done = (
            "Marked as a drill: left out of the metrics unless drills are included."
            if drill
            else "No longer a drill: counted in the metrics."
        )
        self.client.command(
            lambda d: d.incidents.set_drill(incident_id, drill),
            lambda _event: self.message.emit(done),
            lambda error: self.message.emit(str(error)),
        )


def _combo(parent: QWidget, name: str, items: list[str]) -> QComboBox:
    box = QComboBox(parent)
    box.setAccessibleName(name)
    box.setToolTip(f"Filter by {name.lower()}")
    box.addItems(items)
    # Wide enough for the usual names, narrower than a long service name when the window is
    # small (the full name shows in the drop-down): the library fits a 1024-pixel screen.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(min(10, max(len(i) for i in items)))
    return box
