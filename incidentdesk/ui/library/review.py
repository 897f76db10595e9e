"""A read-only review of one incident: milestones, the whole timeline and who held which role.

Nothing here writes: the timeline has no pin or correct, the role history no buttons. An
incident still being worked can be taken to the command view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES
from incidentdesk.core.journal.fold import IncidentState, RoleChange
from incidentdesk.core.plural import counted
from incidentdesk.core.postmortem.model import ITEM_STATUS_LABELS, REVIEW_LABELS
from incidentdesk.core.timefmt import format_duration, utc_now
from incidentdesk.ui.command.header import IncidentHeader
from incidentdesk.ui.command.timeline_panel import TimelinePanel
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import badge_css
from incidentdesk.ui.metrics.charts import DRILL_COLOR

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import IncidentSnapshot

READ_ONLY = "A review is read-only: pin and correct entries in the command view."
NO_POSTMORTEM = "No post-mortem yet."
NO_ESCALATIONS = "Nobody was paged."


class ReadOnlyTimeline(TimelinePanel):
    """The timeline panel with its filters and copy, but without pinning or correcting."""

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(client, parent)
        for action in (self.pin_action, self.correct_action):
            action.setEnabled(False)
            action.setVisible(False)
            self.removeAction(action)

    def toggle_pin(self) -> None:
        self.message.emit(READ_ONLY)

    def correct_selected(self) -> None:
        self.message.emit(READ_ONLY)

    def _context_menu(self, position: QPoint) -> None:
        if self._selected_source() is None:
            return
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        menu.exec(self.view.viewport().mapToGlobal(position))


@dataclass(frozen=True)
class Tenure:
    """Someone holding (or shadowing) a role from one moment to another."""

    role: str
    person: str
    shadow: bool
    start: datetime
    end: datetime | None  # None: still holding it
    ended_by: str  # "handed over to …", "released", or "" while held


def role_tenures(history: list[RoleChange]) -> list[Tenure]:
    """Who held which role from when to when, from the role history (in its order)."""
    open_: dict[tuple[str, bool, str], tuple[datetime, int]] = {}
    done: list[tuple[int, Tenure]] = []
    for order, change in enumerate(history):
        key = (change.role, change.shadow)
        if change.change == "released":
            started = open_.pop((*key, change.person), None)
            if started is not None:
                tenure = Tenure(
                    change.role, change.person, change.shadow, started[0], change.at, "released"
                )
                done.append((started[1], tenure))
            continue
        if change.previous and change.previous != change.person:
            started = open_.pop((*key, change.previous), None)
            if started is not None:
                ended = f"handed over to {change.person}"
                tenure = Tenure(
                    change.role, change.previous, change.shadow, started[0], change.at, ended
                )
                done.append((started[1], tenure))
        open_.setdefault((*key, change.person), (change.at, order))
    for (role, shadow, person), (start, order) in open_.items():
        done.append((order, Tenure(role, person, shadow, start, None, "")))
    done.sort(key=lambda item: item[0])
    return [tenure for _order, tenure in done]


class RoleHistoryView(QTreeWidget):
    """Who held which role, when, and how it ended (handover or release)."""

    COLUMNS = ("Role / person", "From", "Until", "Held for")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RoleHistory")
        self.setAccessibleName("Role history")
        self.setColumnCount(len(self.COLUMNS))
        self.setHeaderLabels(list(self.COLUMNS))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.handovers = 0

    def set_state(self, state: IncidentState | None) -> None:
        """Show the role history of ``state`` (None: nothing)."""
        self.clear()
        self.handovers = 0
        if state is None:
            return
        tenures = role_tenures(state.role_history)
        self.handovers = sum(1 for c in state.role_history if c.change == "handover")
        end = state.milestones.get("resolved_at")
        started = state.milestones.get("started_at")
        for role in ROLES:
            mine = [t for t in tenures if t.role == role.key]
            if not mine:
                continue
            top = QTreeWidgetItem(self, [role.label])
            top.setFirstColumnSpanned(True)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setToolTip(0, ROLE_BY_KEY[role.key].duty)
            for tenure in mine:
                item = QTreeWidgetItem(top, _tenure_cells(tenure, started, end, state.active))
                if tenure.ended_by:
                    item.setToolTip(2, f"{tenure.person} {tenure.ended_by}")
        self.expandAll()


def moment_text(moment: datetime, started: datetime | None) -> str:
    """``14:05`` on the incident's first day (local time), ``Nov 27 02:10`` on another."""
    local = moment.astimezone()
    first_day = started.astimezone().date() if started is not None else local.date()
    return f"{local:%H:%M}" if local.date() == first_day else f"{local:%b %d %H:%M}"


def _tenure_cells(
    tenure: Tenure, started: datetime | None, end: datetime | None, active: bool
) -> list[str]:
    name = f"    shadow: {tenure.person}" if tenure.shadow else f"    {tenure.person}"
    if tenure.end is not None:
        stop: datetime = tenure.end
        until = f"{moment_text(tenure.end, started)} · {tenure.ended_by}"
    elif active or end is None:
        stop, until = utc_now(), "still holds it"
    else:
        stop, until = end, "to the end"
    since = moment_text(tenure.start, started)
    return [name, since, until, format_duration(stop - tenure.start)]


def review_notice(state: IncidentState | None) -> str:
    """``Review (read-only) · started 2026-10-17 06:13 · lasted 3h 00m``."""
    parts = ["Review (read-only)"]
    started = state.milestones.get("started_at") if state else None
    if state is not None and started is not None:
        parts.append(f"started {started.astimezone():%Y-%m-%d %H:%M}")
        resolved = state.milestones.get("resolved_at")
        took = format_duration((resolved or utc_now()) - started)
        parts.append(f"lasted {took}" if resolved else f"running for {took}")
    return " · ".join(parts)


def escalation_lines(state: IncidentState | None) -> list[str]:
    """Who was paged, when, and who answered: one line per page, then the chat posts."""
    if state is None:
        return []
    lines = []
    for page in state.escalation.pages.values():
        line = (
            f"{page.service} — {page.team}, level {page.level}: {page.status}"
            f" · paged {_hhmm(page.requested_at)} by {page.requested_by}"
        )
        if page.sent_at is not None:
            line += f", delivered {_hhmm(page.sent_at)}"
        if page.acknowledged_at is not None:
            line += f", answered {_hhmm(page.acknowledged_at)} by {page.acknowledged_by}"
        if page.status == "failed" and page.reason:
            line += f" ({page.reason})"
        lines.append(line)
    posts = list(state.escalation.posts.values())
    if posts:
        sent = sum(1 for p in posts if p.status == "sent")
        targets = ", ".join(dict.fromkeys(p.target for p in posts))
        lines.append(f"{counted(len(posts), 'chat post')} to {targets}, {sent} delivered")
    return lines


def postmortem_lines(state: IncidentState | None, today: date) -> list[str]:
    """The post-mortem's state and its action items (overdue ones marked)."""
    if state is None or not state.postmortem.started:
        return []
    pm = state.postmortem
    written = sum(1 for s in pm.section_specs if pm.section(s.key).text.strip())
    lines = [
        f"{REVIEW_LABELS[pm.review_state].capitalize()} (revision {pm.revision}) · "
        f"{pm.template_name} template · {written} of {len(pm.section_specs)} sections written"
    ]
    if pm.reviewers:
        lines.append("Reviewers: " + ", ".join(pm.reviewers))
    for item in pm.action_items.values():
        due = f", due {item.due.isoformat()}" if item.due else ""
        late = " — OVERDUE" if item.overdue(today) else ""
        lines.append(
            f"• {item.description} ({item.owner}, {ITEM_STATUS_LABELS[item.status]}{due}){late}"
        )
    if not pm.action_items:
        lines.append("No action items.")
    return lines


def _set_muted(label: QLabel, muted: bool) -> None:
    """Grey (nothing to show) or normal text; the style sheet reads the property."""
    if label.property("muted") != muted:
        label.setProperty("muted", muted)
        label.style().unpolish(label)
        label.style().polish(label)


def _hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def _box(title: str, parent: QWidget) -> tuple[QFrame, QLabel]:
    frame = QFrame(parent)
    frame.setObjectName("ReviewBox")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    heading = QLabel(f"<b>{title}</b>", frame)
    body = QLabel(frame)
    body.setWordWrap(True)
    body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.addWidget(heading)
    layout.addWidget(body)
    return frame, body


class IncidentReview(QWidget):
    """A past (or running) incident, read-only.

    Signals:
        back_requested(): the user wants the library again.
        command_requested(str): open this (active) incident in the command view.
        postmortem_requested(str): open this incident's post-mortem.
        message(str): something for the status bar.
    """

    back_requested = Signal()
    command_requested = Signal(str)
    postmortem_requested = Signal(str)
    message = Signal(str)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("IncidentReview")
        self.client = client
        self.incident_id: str | None = None
        self.state: IncidentState | None = None
        self._focus_event: str | None = None
        self._fetching = False

        bar = self._build_bar()

        self.header = IncidentHeader(self)
        self.header.message.connect(self.message)
        self.timeline = ReadOnlyTimeline(client, self)
        self.timeline.message.connect(self.message)
        self.roles_label = QLabel("<b>Roles</b>", self)
        self.roles = RoleHistoryView(self)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.roles_label)
        side_layout.addWidget(self.roles, 1)
        self.postmortem, self.postmortem_text = _box("Post-mortem", side)
        self.postmortem_button = QPushButton("Open post-mortem…", self.postmortem)
        self.postmortem_button.setToolTip("Read, write or export this incident's post-mortem")
        self.postmortem_button.clicked.connect(self._open_postmortem)
        pm_layout = self.postmortem.layout()
        assert pm_layout is not None
        pm_layout.addWidget(self.postmortem_button)
        self.escalations, self.escalations_text = _box("Escalations", side)
        side_layout.addWidget(self.postmortem)
        side_layout.addWidget(self.escalations)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.timeline)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 560])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)

        back = QAction("Back to the library", self)
        back.setShortcuts([QKeySequence(Qt.Key.Key_Escape), QKeySequence("Alt+Left")])
        back.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.triggered.connect(self.back_requested)
        self.addAction(back)
        self._show_state(None)

    def _build_bar(self) -> QHBoxLayout:
        self.back_button = QPushButton("← Library", self)
        self.back_button.setToolTip("Back to the incident library (Esc)")
        self.back_button.clicked.connect(self.back_requested)
        self.notice = QLabel(self)
        self.notice.setProperty("muted", True)
        self.drill_badge = QLabel("Drill", self)
        self.drill_badge.setStyleSheet(badge_css(DRILL_COLOR))
        self.drill_badge.setToolTip("An exercise: left out of the metrics unless asked for.")
        self.drill_badge.hide()
        self.command_button = QPushButton("Open in command view", self)
        self.command_button.setToolTip("Work on this incident: it is still active")
        self.command_button.clicked.connect(self._open_in_command_view)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.notice)
        bar.addWidget(self.drill_badge)
        bar.addStretch(1)
        bar.addWidget(self.command_button)
        return bar

    # ------------------------------------------------------------ loading

    def show_incident(self, incident_id: str, event_id: str | None = None) -> None:
        """Load an incident; ``event_id``: select that entry once it shows."""
        self.incident_id = incident_id
        self._focus_event = event_id
        self._fetching = True
        self.client.call(
            lambda d: d.incidents.snapshot(incident_id),
            lambda snapshot: self._loaded(incident_id, snapshot),
            lambda error: self._failed(incident_id, error),
        )

    def _loaded(self, incident_id: str, snapshot: IncidentSnapshot) -> None:
        self._fetching = False
        if incident_id != self.incident_id:
            return
        self.timeline.show_incident(incident_id, snapshot)
        self._show_state(snapshot.state)
        if self._focus_event is not None:
            self.select_event(self._focus_event)
            self._focus_event = None

    def _failed(self, incident_id: str, error: BaseException) -> None:
        self._fetching = False
        if incident_id == self.incident_id:
            self.message.emit(str(error))

    def on_incidents_changed(self, incident_ids: list[str]) -> None:
        """The feed says these incidents have new events: add them (keeping the view)."""
        incident_id = self.incident_id
        if incident_id is None or incident_id not in incident_ids or self._fetching:
            return
        if self.timeline.model.incident_id != incident_id:
            return
        after = self.timeline.model.seq
        self.client.call(
            lambda d: d.incidents.snapshot(incident_id, after),
            lambda snapshot: self._refreshed(incident_id, snapshot),
            lambda error: self._failed(incident_id, error),
        )

    def _refreshed(self, incident_id: str, snapshot: IncidentSnapshot) -> None:
        if incident_id == self.incident_id and self.timeline.model.incident_id == incident_id:
            self.timeline.apply(snapshot)
            self._show_state(snapshot.state)

    def _show_state(self, state: IncidentState | None) -> None:
        self.state = state
        self.header.set_state(state)
        self.roles.set_state(state)
        handovers = self.roles.handovers
        self.roles_label.setText(
            "<b>Roles</b>"
            + (f" — {handovers} handover{'s' if handovers != 1 else ''}" if handovers else "")
        )
        self.drill_badge.setVisible(bool(state and state.drill))
        self.notice.setText(review_notice(state))
        self.command_button.setVisible(bool(state and state.active))
        pages = escalation_lines(state)
        self.escalations_text.setText("\n".join(pages) or NO_ESCALATIONS)
        _set_muted(self.escalations_text, not pages)
        pm = postmortem_lines(state, utc_now().astimezone().date())
        self.postmortem_text.setText("\n".join(pm) or NO_POSTMORTEM)
        _set_muted(self.postmortem_text, not pm)
        self.postmortem_button.setText("Open post-mortem…" if pm else "Start post-mortem…")
        self.postmortem_button.setEnabled(state is not None)

    def _open_postmortem(self) -> None:
        if self.incident_id is not None:
            self.postmortem_requested.emit(self.incident_id)

    def select_event(self, event_id: str) -> bool:
        """Select and show one entry of the timeline; False when it is not shown."""
        row = self.timeline.model.row_of(event_id)
        if row is None:
            return False
        index = self.timeline.proxy.mapFromSource(self.timeline.model.index(row, 0))
        if not index.isValid():
            return False
        self.timeline.view.selectRow(index.row())
        self.timeline.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _open_in_command_view(self) -> None:
        if self.incident_id is not None:
            self.command_requested.emit(self.incident_id)
