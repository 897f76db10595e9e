"""The command view's header: what, how bad, where it stands, how long, and its milestones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from incidentdesk.core.fold import IncidentState
from incidentdesk.core.lifecycle import STATUS_LABELS
from incidentdesk.core.severity import UNSURE_RULE, severity
from incidentdesk.core.timefmt import format_duration, utc_now
from incidentdesk.ui.style import SEVERITY_COLORS, STATUS_COLORS, badge_css

SHOWN_MILESTONES = (
    ("detected_at", "Detected"),
    ("acknowledged_at", "Acknowledged"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
)


def clock_text(elapsed_seconds: int) -> str:
    """A running clock such as ``2:05:09`` (hours may exceed 24)."""
    hours, rest = divmod(max(0, elapsed_seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


class IncidentHeader(QWidget):
    """Title, severity badge, status, running clock, milestones and services."""

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IncidentHeader")
        self._clock = clock
        self._state: IncidentState | None = None

        self.title = QLabel("No incident selected", self)
        self.title.setObjectName("IncidentTitle")
        self.title.setWordWrap(True)
        self.severity_badge = QLabel(self)
        self.severity_badge.setAccessibleName("Severity")
        self.status_badge = QLabel(self)
        self.status_badge.setAccessibleName("Status")
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("IncidentClock")
        self.elapsed.setAccessibleName("Time since the incident started")
        self.services = QLabel(self)
        self.services.setProperty("muted", True)
        self.services.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.severity_badge)
        top.addWidget(self.status_badge)
        top.addWidget(self.title, 1)
        top.addWidget(self.elapsed)

        self.milestone_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for column, (key, label) in enumerate(SHOWN_MILESTONES):
            name = QLabel(label, self)
            name.setProperty("muted", True)
            value = QLabel("—", self)
            value.setAccessibleName(label)
            grid.addWidget(name, 0, column)
            grid.addWidget(value, 1, column)
            self.milestone_labels[key] = value
        grid.setColumnStretch(len(SHOWN_MILESTONES), 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.services)
        layout.addLayout(grid)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self.set_state(None)

    def set_state(self, state: IncidentState | None) -> None:
        """Show an incident's state (None: nothing selected)."""
        self._state = state
        visible = state is not None
        for widget in (self.severity_badge, self.status_badge, self.elapsed, self.services):
            widget.setVisible(visible)
        if state is None:
            self.title.setText("No incident selected")
            for value in self.milestone_labels.values():
                value.setText("—")
            self._ticker.stop()
            return
        sev = severity(state.severity)
        self.title.setText(state.title)
        if self.severity_badge.text() != sev.code:  # restyling is not free: only on change
            self.severity_badge.setText(sev.code)
            self.severity_badge.setStyleSheet(badge_css(SEVERITY_COLORS[sev.code]))
            self.severity_badge.setToolTip(f"{sev.definition}\n\n{UNSURE_RULE}")
        if self.status_badge.text() != STATUS_LABELS[state.status]:
            self.status_badge.setText(STATUS_LABELS[state.status])
            self.status_badge.setStyleSheet(badge_css(STATUS_COLORS[state.status]))
        self.services.setText(
            "Affected: " + ", ".join(state.services) if state.services else "No services named"
        )
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
        self._tick()
        if state.milestones.get("resolved_at") is None:
            self._ticker.start()
        else:
            self._ticker.stop()

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
