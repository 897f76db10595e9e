"""The command view: everything about the selected incident on one screen.

It owns the one fetch per change: when the feed says the open incident has new events, it
asks the Desk (on the worker) for a snapshot after the timeline's position and hands the
state to the header, role board and reminders, and the new events to the timeline.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.provenance import Identities
from incidentdesk.ui.command.header import IncidentHeader
from incidentdesk.ui.command.page_banner import PageFailureBanner
from incidentdesk.ui.command.quick_entry import QuickEntry
from incidentdesk.ui.command.reminders import ReminderBanner
from incidentdesk.ui.command.role_board import RoleBoard
from incidentdesk.ui.command.stakeholder_update import StakeholderUpdateDialog
from incidentdesk.ui.command.timeline_panel import TimelinePanel
from incidentdesk.ui.command.timeline_rows import PreparedRows, prepare
from incidentdesk.ui.common.client import DeskClient, FollowUp
from incidentdesk.ui.escalation.panel import EscalationPanel

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk, IncidentSnapshot

RECENT_FOR_UPDATE = 5  # decisions and actions offered to the stakeholder update
LATEST_FIRST = 300  # timeline entries shown before the whole journal is read


class CommandView(QWidget):
    """Header, reminders, role board, live timeline and quick entry for one incident.

    Signals:
        message(str): something for the status bar.
        loaded(str): an incident finished loading (its id).
        utc_toggled(bool): the timeline's times now show in UTC (True) or local time.
        action_item_requested(str, str): (incident id, item id) of an action item to open.
        catalog_import_requested(): the escalation panel asks for a catalog file.
        catalog_requested(): the escalation panel asks to show the catalog.
    """

    message = Signal(str)
    loaded = Signal(str)
    utc_toggled = Signal(bool)
    action_item_requested = Signal(str, str)
    catalog_import_requested = Signal()
    catalog_requested = Signal()

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CommandView")
        self.client = client
        self.incident_id: str | None = None
        self.state: IncidentState | None = None
        self._fetching = False
        self._refetch = False
        self._people: list[str] = []

        self.header = IncidentHeader(self)
        self.banner = ReminderBanner(self)
        self.unpaged = PageFailureBanner(self)  # "Payments was NOT paged"
        self.role_board = RoleBoard(client, self)
        self.escalation = EscalationPanel(client, self)
        self.timeline = TimelinePanel(client, self)
        self.quick_entry = QuickEntry(client, self.timeline.selected_event_id, self)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("CommandSplitter")
        self.splitter.addWidget(self.role_board)
        self.splitter.addWidget(self.escalation)
        self.splitter.addWidget(self.timeline)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.unpaged)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.quick_entry)

        for widget in (
            self.header,
            self.role_board,
            self.escalation,
            self.timeline,
            self.quick_entry,
        ):
            widget.message.connect(self.message)
        # A change made here is most likely to the open incident: its new rows are read in
        # the command's own job on the worker, not after the change feed's next look (nor
        # after one more trip to the worker).
        client.follow_commands(self._after_command)
        self.banner.update_requested.connect(self.open_update_composer)
        self.banner.assign_requested.connect(self.role_board.focus_role)
        self.unpaged.fix_requested.connect(self.escalation.fix)
        self.timeline.utc_toggled.connect(self.utc_toggled)
        self.timeline.action_item_requested.connect(self.action_item_requested)
        self.escalation.import_requested.connect(self.catalog_import_requested)
        self.escalation.catalog_requested.connect(self.catalog_requested)
        self.show_incident(None)

    # ------------------------------------------------------------ loading

    def show_incident(self, incident_id: str | None) -> None:
        """Load and show an incident (None: show nothing)."""
        self.incident_id = incident_id
        self.role_board.set_incident(incident_id)
        self.escalation.set_incident(incident_id)
        self.quick_entry.set_incident(incident_id)
        if incident_id is None:
            self._show_state(None)
            self.timeline.show_incident(None, None)
            return
        self._fetching = True
        # Two steps: the latest entries paint at once, then the whole journal is read and
        # folded (long incidents take a moment) and fills in the rest. The rows are made on
        # the worker; the GUI thread only adds them, a batch per turn of its event loop.
        identities = self.timeline.model.identities
        self.client.call(
            lambda d: _prepared(identities, *d.incidents.latest_entries(incident_id, LATEST_FIRST)),
            lambda prepared: self._latest(incident_id, prepared),
            lambda error: self._failed(incident_id, error),
        )

        def whole(d: Desk) -> tuple[IncidentSnapshot, list[str], PreparedRows]:
            snapshot = d.incidents.snapshot(incident_id)
            rows = prepare(snapshot.events, identities, snapshot.seq)
            return snapshot, d.incidents.people(), rows

        self.client.call(
            whole,
            lambda result: self._loaded(incident_id, *result),
            lambda error: self._failed(incident_id, error),
        )

    def _latest(self, incident_id: str, prepared: PreparedRows) -> None:
        if incident_id == self.incident_id:
            self.timeline.show_prepared(incident_id, prepared)

    def _loaded(
        self,
        incident_id: str,
        snapshot: IncidentSnapshot,
        people: list[str],
        prepared: PreparedRows,
    ) -> None:
        if incident_id != self.incident_id:
            self._fetching = False
            return  # the user moved on while it loaded
        self._show_state(snapshot.state)
        self._set_people(people)
        if self.timeline.model.incident_id == incident_id:
            self.timeline.fill_in(prepared, lambda: self._filled(incident_id))
        else:
            self.timeline.show_prepared(incident_id, prepared)
            self._filled(incident_id)

    def _filled(self, incident_id: str) -> None:
        self._fetching = False
        # The incident's fold and rows now live as long as it is open: out of the cyclic
        # collector's reach, a full collection (holding the GIL) no longer walks them all.
        gc.freeze()
        self.loaded.emit(incident_id)
        self._maybe_refetch()

    def _failed(self, incident_id: str, error: BaseException) -> None:
        self._fetching = False
        if incident_id == self.incident_id:
            self.message.emit(str(error))

    def on_incidents_changed(self, incident_ids: list[str]) -> None:
        """The feed says these incidents have new events."""
        if self.incident_id is not None and self.incident_id in incident_ids:
            self.refresh()

    def refresh(self) -> None:
        """Fetch what arrived since the timeline's position (one fetch at a time)."""
        incident_id = self.incident_id
        if incident_id is None:
            return
        if self._fetching:
            self._refetch = True
            return
        self._fetching = True
        self.client.call(
            self._fetcher(incident_id),
            lambda result: self._refreshed(incident_id, *result),
            lambda error: self._failed(incident_id, error),
        )

    def _fetcher(self, incident_id: str) -> Callable[[Desk], tuple[IncidentSnapshot, PreparedRows]]:
        """A job reading what arrived since the timeline's position (for the worker)."""
        after = self.timeline.model.seq
        identities = self.timeline.model.identities

        def fetch(d: Desk) -> tuple[IncidentSnapshot, PreparedRows]:
            snapshot = d.incidents.snapshot(incident_id, after)
            return snapshot, prepare(snapshot.events, identities, snapshot.seq)

        return fetch

    def _after_command(self) -> FollowUp | None:
        """What to read after a command (DeskClient.follow_commands): the open incident's
        new rows, unless a fetch is under way (then it is repeated when that one is in)."""
        incident_id = self.incident_id
        if incident_id is None or self.timeline.model.incident_id != incident_id:
            return None
        if self._fetching:
            self._refetch = True
            return None
        self._fetching = True
        fetch = self._fetcher(incident_id)

        def read(d: Desk) -> object:
            try:
                return fetch(d)
            except Exception as error:
                return error

        def deliver(result: object) -> None:
            if result is None:  # the command failed: nothing was read
                self._fetching = False
                self._maybe_refetch()
            elif isinstance(result, Exception):
                self._failed(incident_id, result)
            else:
                assert isinstance(result, tuple)
                self._refreshed(incident_id, *result)

        return FollowUp(read, deliver)

    def _refreshed(
        self, incident_id: str, snapshot: IncidentSnapshot, prepared: PreparedRows
    ) -> None:
        self._fetching = False
        if incident_id == self.incident_id and self.timeline.model.incident_id == incident_id:
            self.timeline.apply_prepared(prepared)
            self._show_state(snapshot.state)
            if any(
                e.kind == "role.assigned" or e.author not in self._people for e in snapshot.events
            ):
                self.client.call(lambda d: d.incidents.people(), self._set_people)
        self._maybe_refetch()

    def _maybe_refetch(self) -> None:
        if self._refetch:
            self._refetch = False
            self.refresh()

    def _show_state(self, state: IncidentState | None) -> None:
        before = self.state
        self.state = state
        self.header.set_state(state)
        if state is not None and (
            before is None or before.id != state.id or before.services != state.services
        ):
            self._fetch_service_links(state.id)
        self.banner.set_state(state)
        self.unpaged.set_state(state)
        self.role_board.set_state(state)
        self.escalation.set_state(state)

    def _fetch_service_links(self, incident_id: str) -> None:
        """The runbooks and dashboards of the incident's services, for the header's menu."""
        self.client.call(
            lambda d: d.links.service_links(incident_id),
            lambda links: self.header.set_service_links(incident_id, links),
            lambda error: self._failed(incident_id, error),
        )

    def _set_people(self, people: list[str]) -> None:
        self._people = people
        self.role_board.set_people(people)
        self.timeline.set_people(people)
        self.escalation.set_people(people)
        self.quick_entry.set_people(people)

    # ------------------------------------------------------------ actions

    def open_update_composer(self) -> None:
        """Open the stakeholder update composer (CAN) for the open incident."""
        if self.incident_id is None or self.state is None:
            self.message.emit("Select an incident first.")
            return
        model = self.timeline.model
        recent = [
            model.row_at(row).text
            for row in range(model.rowCount() - 1, -1, -1)
            if model.row_at(row).kind in ("decision", "action")
        ][:RECENT_FOR_UPDATE]
        dialog = StakeholderUpdateDialog(
            self.client, self.incident_id, self.state, self, recent_entries=recent[::-1]
        )
        dialog.posted.connect(lambda _id: self.message.emit("Stakeholder update posted."))
        dialog.open()

    def focus_quick_entry(self) -> None:
        """Put the cursor in the quick entry."""
        self.quick_entry.focus_entry()

    def focus_escalation(self) -> None:
        """Put the cursor on the escalation panel's first action."""
        self.escalation.focus_first_action()

    def entry_actions(self) -> list[QAction]:
        """The timeline's actions on the selected entry, for the window's menu."""
        return self.timeline.entry_actions()

    def is_utc(self) -> bool:
        """Whether the timeline shows times in UTC."""
        return self.timeline.is_utc()

    def set_utc(self, utc: bool) -> None:
        """Show the timeline's times in UTC (True) or local time."""
        self.timeline.set_utc(utc)

    def save_layout(self) -> QByteArray:
        """The split between role board, escalation and timeline, to remember."""
        return self.splitter.saveState()

    def restore_layout(self, state: QByteArray) -> None:
        """Restore a split remembered by :meth:`save_layout`."""
        self.splitter.restoreState(state)

    def set_reminder_intervals(self, intervals: Mapping[str, timedelta]) -> None:
        """Status update intervals per severity (from the settings)."""
        self.banner.set_intervals(intervals)


def _prepared(identities: Identities, latest: list[Event], effects: list[Event]) -> PreparedRows:
    """The rows of an incident's latest entries (on the worker)."""
    return prepare(latest, identities, 0, effects)
