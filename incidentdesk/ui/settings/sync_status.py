"""The workstation's sync state, as the window shows it.

:class:`SyncStatusLabel` (status bar) and :class:`OfflineBanner` (above the command view)
show the state the sync thread reports (:mod:`incidentdesk.ui.shell.workstation` runs it).
Offline is normal operation: the banner is calm, and writing goes on.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incidentdesk.core.journal.sync_state import LOCAL_ONLY, OFFLINE, ONLINE, SYNCING, SyncStatus
from incidentdesk.core.plural import counted

OFFLINE_COLOR = "#5c7fa3"  # a calm slate blue: offline is normal operation, not an alarm
LOCAL_ONLY_TIP = (
    "This workstation works on its own database file. "
    "Database → Shared database… connects it to a shared one."
)


# ---------------------------------------------------------------- words


def waiting_sentence(waiting: int) -> str:
    """The offline banner's headline: what happens to the changes made meanwhile."""
    if waiting == 0:
        return (
            "Offline — nothing waiting. Writing goes on; changes will go up when the shared "
            "database is back."
        )
    if waiting == 1:
        return (
            "Offline — 1 change waiting. Writing goes on; it will go up when the shared "
            "database is back."
        )
    return (
        f"Offline — {counted(waiting, 'change')} waiting. Writing goes on; they will go up when "
        "the shared database is back."
    )


def last_sync_text(last: datetime | None, now: datetime | None = None) -> str:
    """``Last sync: 14:02:11`` in local time (with the date when it is not today)."""
    if last is None:
        return "Not synced yet."
    local = last.astimezone()
    today = (now or datetime.now().astimezone()).date()
    shown = local.strftime("%H:%M:%S" if local.date() == today else "%Y-%m-%d %H:%M:%S")
    return f"Last sync: {shown}."


def status_tooltip(status: SyncStatus, where: str | None = None) -> str:
    """What hovering the status bar's sync label says."""
    if status.state == LOCAL_ONLY:
        return LOCAL_ONLY_TIP
    lines: list[str] = []
    if status.state == ONLINE:
        lines.append(f"Connected to {where}." if where else "Connected to the shared database.")
    elif status.state == SYNCING:
        lines.append(f"Connecting to {where}…" if where else "Connecting…")
    elif status.message:
        lines.append(status.message)
    if status.state == OFFLINE:
        lines.append(f"{counted(status.waiting, 'change')} waiting to go up.")
    lines.append(last_sync_text(status.last_sync))
    return "\n".join(lines)


# ---------------------------------------------------------------- widgets


class SyncStatusLabel(QLabel):
    """The status bar's sync state: ``local only`` · ``online`` · ``offline — N changes
    waiting`` · ``syncing``, with details in the tooltip.

    Signals:
        clicked(): the user clicked it (the window opens the connection settings).
    """

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SyncStatus")
        self.setAccessibleName("Sync status")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setContentsMargins(6, 0, 6, 0)
        self.where: str | None = None  # the server's URL (no password), for the tooltip
        self.set_status(SyncStatus(LOCAL_ONLY))

    def set_status(self, status: SyncStatus) -> None:
        """Show this state."""
        self.setText(status.label)
        self.setToolTip(status_tooltip(status, self.where))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class OfflineBanner(QWidget):
    """A calm strip above the incident while the shared database cannot be reached.

    Hidden unless the state is offline. The headline says writing goes on and how many
    changes wait; the server's own message follows in smaller type.

    Signals:
        settings_requested(): the user pressed "Connection…".
    """

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OfflineBanner")
        self.setAccessibleName("Offline")
        self._accent = QColor(OFFLINE_COLOR)

        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setProperty("muted", True)
        font = self.detail.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.detail.setFont(font)
        self.settings_button = QPushButton("Connection…")
        self.settings_button.setToolTip("Check or change the shared database connection")
        self.settings_button.setAutoDefault(False)
        self.settings_button.clicked.connect(self.settings_requested)

        text = QVBoxLayout()
        text.setSpacing(1)
        text.addWidget(self.headline)
        text.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 8, 6)
        layout.addLayout(text, 1)
        layout.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def set_status(self, status: SyncStatus) -> None:
        """Show the banner while offline, with the waiting count and the server's message."""
        offline = status.state == OFFLINE
        if offline:
            self.headline.setText(waiting_sentence(status.waiting))
            self.detail.setText(status.message or "")
            self.detail.setVisible(bool(status.message))
        self.setVisible(offline)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        tint = QColor(self._accent)
        tint.setAlpha(32)
        painter.fillRect(self.rect(), tint)
        painter.fillRect(0, 0, 4, self.height(), self._accent)
        painter.end()
        super().paintEvent(event)
