"""How often a status update is due, per severity: a small settings dialog and its storage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.reminders import DEFAULT_UPDATE_INTERVALS
from incidentdesk.core.incident.severity import SEVERITIES

KEY = "reminders/{code}_minutes"


def load_intervals(settings: QSettings) -> dict[str, timedelta]:
    """The configured intervals (the defaults where nothing is set; 0 minutes = no timer)."""
    intervals: dict[str, timedelta] = {}
    for sev in SEVERITIES:
        default = DEFAULT_UPDATE_INTERVALS.get(sev.code)
        raw = settings.value(KEY.format(code=sev.code))
        minutes = int(default.total_seconds() // 60) if default else 0
        if raw is not None and str(raw).strip().isdigit():  # a hand-edited bad value: default
            minutes = int(str(raw).strip())
        if minutes:
            intervals[sev.code] = timedelta(minutes=minutes)
    return intervals


def save_intervals(settings: QSettings, intervals: Mapping[str, timedelta]) -> None:
    """Store intervals (severities left out get 0: no timer)."""
    for sev in SEVERITIES:
        interval = intervals.get(sev.code)
        settings.setValue(
            KEY.format(code=sev.code), int(interval.total_seconds() // 60) if interval else 0
        )


class ReminderSettingsDialog(QDialog):
    """Minutes between status updates for each severity (0: no reminder)."""

    def __init__(self, intervals: Mapping[str, timedelta], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Status update reminders")
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for sev in SEVERITIES:
            spin = QSpinBox(self)
            spin.setRange(0, 24 * 60)
            spin.setSingleStep(5)
            spin.setSuffix(" min")
            spin.setSpecialValueText("no reminder")
            interval = intervals.get(sev.code)
            spin.setValue(int(interval.total_seconds() // 60) if interval else 0)
            spin.setAccessibleName(f"{sev.code} update interval")
            form.addRow(f"{sev.code}:", spin)
            self.spins[sev.code] = spin
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Remind the commander to post a status update this often while an incident of "
            "that severity is active. Posting an update resets the timer.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def intervals(self) -> dict[str, timedelta]:
        """The intervals as set in the dialog."""
        return {
            code: timedelta(minutes=spin.value())
            for code, spin in self.spins.items()
            if spin.value()
        }
