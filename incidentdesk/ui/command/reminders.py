"""The reminder banner above the incident: unfilled key roles, a stakeholder update due.

Pure GUI: it re-evaluates :func:`incidentdesk.core.incident.reminders.reminders` on the state it was
last given, once a second, and never calls the Desk. The owner feeds it each new snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incidentdesk.core.incident.reminders import DEFAULT_UPDATE_INTERVALS, Reminder, reminders
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.common.style import SEVERITY_COLORS, WARNING_COLOR

TICK_MS = 1000
CRITICAL_COLOR = SEVERITY_COLORS["SEV1"]
_BUTTON_TEXTS = ("Post update…", "Assign…")
_TINT_ALPHA = 38  # the accent, faintly, over the window colour: readable in light and dark


@dataclass
class _Row:
    widget: QWidget
    label: QLabel
    button: QPushButton | None


class ReminderBanner(QWidget):
    """A strip that lists what is due on the open incident, and hides when nothing is.

    Args:
        parent: the owning widget.
        clock: the current time (UTC); tests pass their own.
        intervals: the stakeholder-update cadence per severity code.

    Signals:
        update_requested(): the user pressed "Post update…".
        assign_requested(str): the user pressed "Assign…" for a role (its key, e.g.
            ``commander``).
    """

    update_requested = Signal()
    assign_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        intervals: Mapping[str, timedelta] = DEFAULT_UPDATE_INTERVALS,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._intervals: Mapping[str, timedelta] = dict(intervals)
        self._state: IncidentState | None = None
        self._current: list[Reminder] = []
        self._rows: dict[tuple[str, str | None], _Row] = {}
        self._accent = QColor(WARNING_COLOR)
        self.setAccessibleName("Reminders")

        self._icon = QLabel("\u26a0")  # warning sign; the accent colour carries the urgency
        font = self._icon.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self._icon.setFont(font)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 8, 6)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(self._rows_box, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.refresh)
        self.hide()

    # ----------------------------------------------------------------- API

    def set_state(self, state: IncidentState | None) -> None:
        """Show the reminders of this incident state (None: no incident open)."""
        self._state = state
        if state is None or not state.active:  # nothing can fall due until a new state
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
        self.refresh()

    def set_intervals(self, intervals: Mapping[str, timedelta]) -> None:
        """Use this update cadence per severity code (``{"SEV1": timedelta(minutes=30)}``)."""
        self._intervals = dict(intervals)
        self.refresh()

    def current(self) -> list[Reminder]:
        """The reminders shown now."""
        return list(self._current)

    def messages(self) -> list[str]:
        """The lines shown now, in order."""
        return [r.message for r in self._current]

    def refresh(self) -> None:
        """Re-evaluate now (the timer calls this every second)."""
        state = self._state
        found = reminders(state, self._clock(), self._intervals) if state is not None else []
        if found == self._current:
            return
        self._current = found
        self._sync_rows(found)
        critical = any(r.level == "critical" for r in found)
        self._accent = QColor(CRITICAL_COLOR if critical else WARNING_COLOR)
        self._icon.setStyleSheet(f"QLabel {{ color: {self._accent.name()}; }}")
        self.setVisible(bool(found))
        self.update()

    # ----------------------------------------------------------------- internals

    def _sync_rows(self, found: list[Reminder]) -> None:
        wanted = {(r.kind, r.role): r for r in found}
        for key in [k for k in self._rows if k not in wanted]:
            row = self._rows.pop(key)
            self._rows_box.removeWidget(row.widget)
            row.widget.deleteLater()
        for index, (key, reminder) in enumerate(wanted.items()):
            row = self._rows.get(key) or self._make_row(reminder)
            self._rows[key] = row
            if self._rows_box.indexOf(row.widget) != index:
                self._rows_box.insertWidget(index, row.widget)
            row.label.setText(reminder.message)
            font = row.label.font()
            font.setBold(reminder.level == "critical")
            row.label.setFont(font)

    def _make_row(self, reminder: Reminder) -> _Row:
        widget = QWidget(self)
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label, 1)
        button: QPushButton | None = None
        if reminder.kind == "update_due":
            button = QPushButton("Post update…")
            button.setToolTip("Write a stakeholder update (Conditions, Actions, Needs)")
            button.clicked.connect(self.update_requested)
        elif reminder.role is not None:
            role = reminder.role
            button = QPushButton("Assign…")
            button.setToolTip("Open the role board to assign someone")
            button.clicked.connect(lambda _checked=False: self.assign_requested.emit(role))
        if button is not None:
            button.setAutoDefault(False)
            # One width for every button, so they line up as a column.
            widest = max(button.fontMetrics().horizontalAdvance(t) for t in _BUTTON_TEXTS)
            button.setMinimumWidth(widest + 28)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return _Row(widget, label, button)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        tint = QColor(self._accent)
        tint.setAlpha(_TINT_ALPHA)
        painter.fillRect(self.rect(), tint)
        painter.fillRect(0, 0, 4, self.height(), self._accent)
        painter.end()
        super().paintEvent(event)
