"""Choosing a period of incident start times: any time, the last N days, or a range of days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from incidentdesk.core.timefmt import utc_now

PERIODS = ("Any time", "Last 7 days", "Last 30 days", "Last 90 days", "Last 365 days", "Between…")
_PERIOD_DAYS = {1: 7, 2: 30, 3: 90, 4: 365}


class PeriodPicker(QWidget):
    """Any time, the last N days, or a range of days (local dates).

    Signals:
        changed(): the period changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = QComboBox(self)
        self.preset.setAccessibleName("Period")
        self.preset.addItems(PERIODS)
        today = QDate.currentDate()
        self.first = QDateEdit(today.addDays(-90), self)
        self.last = QDateEdit(today, self)
        for edit, name in ((self.first, "From"), (self.last, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._date_changed)
            edit.hide()
        self.dash = QLabel("–", self)
        self.dash.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset)
        layout.addWidget(self.first)
        layout.addWidget(self.dash)
        layout.addWidget(self.last)
        self.preset.currentIndexChanged.connect(self._preset_changed)

    def _preset_changed(self, index: int) -> None:
        custom = index == len(PERIODS) - 1
        for widget in (self.first, self.dash, self.last):
            widget.setVisible(custom)
        self.changed.emit()

    def _date_changed(self) -> None:
        if self.custom:
            self.changed.emit()

    @property
    def custom(self) -> bool:
        """Whether a range of days is chosen (rather than a preset)."""
        return self.preset.currentIndex() == len(PERIODS) - 1

    def set_range(self, first: QDate, last: QDate) -> None:
        """Choose a range of days (both included)."""
        widgets = (self.preset, self.first, self.last)
        for widget in widgets:
            widget.blockSignals(True)
        self.preset.setCurrentIndex(len(PERIODS) - 1)
        self.first.setDate(first)
        self.last.setDate(last)
        for widget in widgets:
            widget.blockSignals(False)
        self._preset_changed(self.preset.currentIndex())  # one change for all three

    def bounds(self, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        """(since, until) in UTC: since included, until excluded; None means open."""
        index = self.preset.currentIndex()
        if index in _PERIOD_DAYS:
            return (now or utc_now()) - timedelta(days=_PERIOD_DAYS[index]), None
        if self.custom:
            first = _local_midnight(self.first.date())
            return first, _local_midnight(self.last.date().addDays(1))
        return None, None


def _local_midnight(day: QDate) -> datetime:
    # The start of a local calendar day, as a UTC moment.
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC)
