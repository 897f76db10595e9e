"""The command view's header: what, how bad, where it stands, how long, and its milestones;
the bridge to join, what customers notice, and the affected services' runbooks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import STATUS_LABELS
from incidentdesk.core.incident.links import ServiceLinks, clean_bridge
from incidentdesk.core.incident.severity import UNSURE_RULE, severity
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_duration, utc_now
from incidentdesk.ui.command.header_parts import ElidedLabel, TitleLabel
from incidentdesk.ui.common.style import (
    INCIDENT_STATUS_COLORS,
    SEVERITY_COLORS,
    badge_css,
    status_badge_css,
)

SHOWN_MILESTONES = (
    ("detected_at", "Detected"),
    ("acknowledged_at", "Acknowledged"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
)
NO_INCIDENT = "No incident selected"
COPY_TITLE_KEYS = "Ctrl+Shift+T"
JOIN_BRIDGE_KEYS = "Ctrl+Shift+J"


def clock_text(elapsed_seconds: int) -> str:
    """A running clock such as ``2:05:09`` (hours may exceed 24)."""
    hours, rest = divmod(max(0, elapsed_seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _badge(parent: QWidget, name: str) -> QLabel:
    badge = QLabel(parent)
    badge.setAccessibleName(name)
    # A badge is as big as its text, whatever the title beside it does.
    badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return badge


class IncidentHeader(QWidget):
    """Title, severity and status badges, running clock, services, links and milestones.

    Signals:
        message(str): something for the status bar (a copied title, a link that will not
            open).
    """

    message = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IncidentHeader")
        self._clock = clock
        self._state: IncidentState | None = None
        self._links: list[ServiceLinks] = []

        self.title = TitleLabel(self)
        self.title.setObjectName("IncidentTitle")
        self.severity_badge = _badge(self, "Severity")
        self.status_badge = _badge(self, "Status")
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("IncidentClock")
        self.elapsed.setAccessibleName("Time since the incident started")
        self.services = QLabel(self)
        self.services.setProperty("muted", True)
        self.impact = ElidedLabel(self)
        self.impact.setTextFormat(Qt.TextFormat.PlainText)
        self.impact.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.impact.setObjectName("IncidentImpact")
        self.impact.setAccessibleName("Customer impact")
        self._build_links()
        self._build_actions()

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.severity_badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.status_badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.title, 1)
        top.addWidget(self.elapsed, 0, Qt.AlignmentFlag.AlignTop)

        links = QHBoxLayout()
        links.setSpacing(12)
        links.addWidget(self.services)
        links.addWidget(self.runbooks)
        links.addWidget(self.bridge)
        links.addWidget(self.impact, 1)  # what customers notice: the rest of the line

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 2)
        layout.setSpacing(1)
        layout.addLayout(top)
        layout.addLayout(links)
        layout.addLayout(self._milestones())

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self.set_state(None)

    def _build_links(self) -> None:
        """The bridge link and the runbooks menu."""
        self.bridge = QLabel(self)
        self.bridge.setObjectName("BridgeLink")
        self.bridge.setAccessibleName("Join the bridge")
        self.bridge.setTextFormat(Qt.TextFormat.RichText)
        self.bridge.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.bridge.linkActivated.connect(lambda _link: self.join_bridge())
        self.runbooks = QToolButton(self)
        self.runbooks.setText("Runbooks")
        self.runbooks.setAccessibleName("Runbooks and dashboards of the affected services")
        self.runbooks.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.runbooks.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.runbooks_menu = QMenu(self.runbooks)
        self.runbooks.setMenu(self.runbooks_menu)

    def _build_actions(self) -> None:
        """Copy the title, join or copy the bridge: context menus and shortcuts."""
        self.copy_title_action = self._action("Copy incident &title", COPY_TITLE_KEYS)
        self.copy_title_action.triggered.connect(self.copy_title)
        self.join_bridge_action = self._action("&Join bridge", JOIN_BRIDGE_KEYS)
        self.join_bridge_action.triggered.connect(self.join_bridge)
        self.copy_bridge_action = self._action("Copy bridge &link", None)
        self.copy_bridge_action.triggered.connect(self.copy_bridge)
        self.title.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.title.addAction(self.copy_title_action)
        self.bridge.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.bridge.addActions([self.join_bridge_action, self.copy_bridge_action])

    def _milestones(self) -> QHBoxLayout:
        """Detected, acknowledged, mitigated, resolved: each with its time."""
        self.milestone_labels: dict[str, QLabel] = {}
        milestones = QHBoxLayout()
        milestones.setSpacing(6)
        for key, label in SHOWN_MILESTONES:
            name = QLabel(label, self)
            name.setProperty("muted", True)
            value = QLabel("—", self)
            value.setAccessibleName(label)
            milestones.addWidget(name)
            milestones.addWidget(value)
            milestones.addSpacing(18)
            self.milestone_labels[key] = value
        milestones.addStretch(1)
        return milestones

    def _action(self, text: str, keys: str | None) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)  # the shortcut works wherever the focus is in the window
        return action

    # ------------------------------------------------------------ showing

    def set_state(self, state: IncidentState | None) -> None:
        """Show an incident's state (None: nothing selected)."""
        if state is None or self._state is None or state.id != self._state.id:
            self._links = []
        self._state = state
        visible = state is not None
        for widget in (self.severity_badge, self.status_badge, self.elapsed, self.services):
            widget.setVisible(visible)
        self.copy_title_action.setEnabled(visible)
        if state is None:
            self._show_title(NO_INCIDENT)
            for value in self.milestone_labels.values():
                value.setText("—")
            self._show_links(None)
            self._ticker.stop()
            return
        sev = severity(state.severity)
        self._show_title(state.title)
        if self.severity_badge.text() != sev.code:  # restyling is not free: only on change
            self.severity_badge.setText(sev.code)
            self.severity_badge.setStyleSheet(badge_css(SEVERITY_COLORS[sev.code]))
            self.severity_badge.setToolTip(f"{sev.definition}\n\n{UNSURE_RULE}")
        if self.status_badge.text() != STATUS_LABELS[state.status]:
            self.status_badge.setText(STATUS_LABELS[state.status])
            self.status_badge.setStyleSheet(status_badge_css(INCIDENT_STATUS_COLORS[state.status]))
            self.status_badge.setToolTip(f"Status: {STATUS_LABELS[state.status]}")
        self.services.setText(
            "Affected: " + reveal(", ".join(state.services))
            if state.services
            else "No services named"
        )
        self._show_links(state)
        self._show_milestones(state)
        self._tick()
        if state.milestones.get("resolved_at") is None:
            self._ticker.start()
        else:
            self._ticker.stop()

    def _show_title(self, text: str) -> None:
        # The one place the title's text is set: hidden characters are shown as markers
        # (core.text.reveal), so a right-to-left override cannot reorder what the title says;
        # the label elides it to two lines and keeps the whole in its tooltip.
        self.title.set_full_text(reveal(text))

    def _show_milestones(self, state: IncidentState) -> None:
        started = state.milestones.get("started_at")
        for key, value in self.milestone_labels.items():
            moment = state.milestones.get(key)
            if moment is None or started is None:
                value.setText("—")
                value.setToolTip("")
                continue
            local = moment.astimezone()
            value.setText(f"{local:%H:%M}  (+{format_duration(moment - started)})")
            value.setToolTip(
                f"{local:%Y-%m-%d %H:%M:%S %Z}, {format_duration(moment - started)} after the start"
            )

    def _show_links(self, state: IncidentState | None) -> None:
        bridge = state.bridge if state else ""
        self.bridge.setVisible(bool(bridge))
        self.join_bridge_action.setEnabled(bool(bridge))
        self.copy_bridge_action.setEnabled(bool(bridge))
        if bridge:
            self.bridge.setText(f'<a href="{escape(bridge, quote=True)}">Join bridge</a>')
            self.bridge.setToolTip(f"{reveal(bridge)}\n({JOIN_BRIDGE_KEYS}; right-click to copy)")
        impact = state.impact if state else ""
        self.impact.setVisible(bool(impact))
        self.impact.set_full_text(f"Impact: {reveal(impact)}" if impact else "")
        self.impact.setToolTip(f"Customer impact: {reveal(impact)}")
        self._fill_runbooks()

    def set_service_links(self, incident_id: str, links: Sequence[ServiceLinks]) -> None:
        """The runbook and dashboard links of the incident's services (from the catalog)."""
        if self._state is not None and self._state.id == incident_id:
            self._links = list(links)
            self._fill_runbooks()

    def _fill_runbooks(self) -> None:
        self.runbooks_menu.clear()
        for item in self._links:
            for what, url in (("runbook", item.runbook_url), ("dashboard", item.dashboard_url)):
                if url:
                    action = self.runbooks_menu.addAction(f"{item.service} — {what}")
                    action.setToolTip(url)
                    action.setData(url)
                    action.triggered.connect(lambda _c=False, u=url, w=what: self._open(u, w))
        self.runbooks.setVisible(self._state is not None and bool(self._links))
        self.runbooks.setToolTip(
            "Runbooks and dashboards: " + ", ".join(i.service for i in self._links)
        )

    # ------------------------------------------------------------ actions

    def copy_title(self) -> None:
        """Put the whole title on the clipboard."""
        if self._state is None:
            return
        QGuiApplication.clipboard().setText(self._state.title)
        self.message.emit("Incident title copied.")

    def copy_bridge(self) -> None:
        """Put the bridge link on the clipboard."""
        if self._state is not None and self._state.bridge:
            QGuiApplication.clipboard().setText(self._state.bridge)
            self.message.emit("Bridge link copied.")

    def join_bridge(self) -> None:
        """Open the bridge link in the meeting app or browser."""
        if self._state is not None and self._state.bridge:
            self._open(self._state.bridge, "bridge")

    def _open(self, link: str, what: str) -> None:
        try:
            checked = clean_bridge(link)  # only the web, meeting and phone schemes open
        except DomainError as exc:
            self.message.emit(f"The {what} link will not be opened: {exc}")
            return
        if not QDesktopServices.openUrl(QUrl(checked, QUrl.ParsingMode.StrictMode)):
            self.message.emit(f"Nothing on this computer opens {checked}; copy it instead.")

    def _tick(self) -> None:
        state = self._state
        if state is None:
            return
        started = state.milestones.get("started_at")
        if started is None:
            self.elapsed.setText("")
            return
        end = state.milestones.get("resolved_at") or self._clock()
        self.elapsed.setText(clock_text(int((end - started).total_seconds())))
        verb = "lasted" if state.milestones.get("resolved_at") else "running for"
        self.elapsed.setToolTip(f"The incident {verb} {format_duration(end - started)}")
