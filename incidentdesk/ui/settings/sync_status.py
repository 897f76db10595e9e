"""The workstation's sync with the shared database, as the window shows it.

:class:`WorkstationSync` runs the :class:`~incidentdesk.runtime.sync.SyncService` thread,
which opens its own Desk and its own server connections (no SQL, network or keyring on the
GUI thread), and brings its news to the GUI thread: a signal emitted from another thread is
delivered queued, in the receiver's thread. :class:`SyncStatusLabel` (status bar) and
:class:`OfflineBanner` (above the command view) show the state. Offline is normal operation:
the banner is calm, and writing goes on.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from incidentdesk.core.journal.sync_state import LOCAL_ONLY, OFFLINE, ONLINE, SYNCING, SyncStatus
from incidentdesk.core.plural import counted
from incidentdesk.infra.config import ConfigError, Profile

if TYPE_CHECKING:  # the sync module loads the PostgreSQL driver: only when a profile syncs
    from incidentdesk.app.desk import Desk
    from incidentdesk.runtime.courier import CourierService
    from incidentdesk.runtime.sync import SharedStore, SyncService

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0  # closing the window waits this long for the sync thread, no longer
RESTART_POLL_MS = 50
RESTART_WAIT_S = 15.0  # a new service starts after the old one ended, or after this
OFFLINE_COLOR = "#5c7fa3"  # a calm slate blue: offline is normal operation, not an alarm
LOCAL_ONLY_TIP = (
    "This workstation works on its own database file. "
    "Database → Shared database… connects it to a shared one."
)

ServiceFactory = Callable[..., "SyncService"]
CourierFactory = Callable[..., "CourierService"]


def default_service(*args: Any, **kwargs: Any) -> SyncService:
    """A real SyncService (imported here, the first time a profile syncs)."""
    from incidentdesk.runtime.sync import SyncService

    return SyncService(*args, **kwargs)


def default_courier(*args: Any, **kwargs: Any) -> CourierService:
    """A real CourierService (imported here: it loads the HTTP adapters)."""
    from incidentdesk.runtime.courier import CourierService

    return CourierService(*args, **kwargs)


class WorkstationCourier(QObject):
    """Runs this workstation's courier: the thread that sends pages and chat posts.

    The courier opens its own Desk on the profile, sends what the outbox holds (HTTP and the
    keyring, never on the GUI thread) and records each outcome in the journal; the incidents
    that got outcomes are announced by ``changed``, which the window feeds into the one change
    path (a poke of the client's feed).

    Args:
        data_dir: the profile folder.
        author: who this workstation records as.
        parent: the owning object (the main window).
        service_factory: makes the thread (``CourierService``; tests may pass a
            ``functools.partial`` with a shorter idle time).

    Signals:
        changed(list): ids of incidents with new delivery outcomes.
    """

    changed = Signal(list)
    _changed_from_thread = Signal(list)

    def __init__(
        self,
        data_dir: Path,
        author: str,
        parent: QObject | None = None,
        service_factory: CourierFactory = default_courier,
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._author = author
        self._factory = service_factory
        self._service: CourierService | None = None
        self._changed_from_thread.connect(self.changed)

    @property
    def service(self) -> CourierService | None:
        """The courier thread (None: not started, or stopped)."""
        return self._service

    def start(self) -> None:
        """Start the thread (once; a running courier is kept)."""
        if self._service is not None:
            return
        data_dir, author = self._data_dir, self._author

        def open_desk() -> Desk:  # runs on the courier thread
            from incidentdesk.app.desk import Desk

            return Desk.open(data_dir, author)

        def on_changed(incident_ids: list[str]) -> None:  # on the courier thread
            changed = list(incident_ids)
            self._emit_safely(lambda: self._changed_from_thread.emit(changed))

        service = self._factory(open_desk, on_changed)
        self._service = service
        service.start()

    def wake(self) -> None:
        """Something was queued: send it now (cheap; safe to call often)."""
        if self._service is not None:
            self._service.wake()

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Stop the thread; waits at most ``timeout`` seconds (an attempt in flight ends by
        its own request timeout; the thread is a daemon and never holds the program)."""
        service, self._service = self._service, None
        if service is not None:
            service.stop(timeout)
            if service.is_alive():
                log.info("the courier did not stop within %.1f s; leaving it", timeout)

    @staticmethod
    def _emit_safely(emit: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone while a send ended
            emit()


class WorkstationSync(QObject):
    """Runs this workstation's sync service and reports to the GUI thread.

    Args:
        data_dir: the profile folder (the service opens its own Desk and reads the profile).
        author: who this workstation records as.
        parent: the owning object (the main window).
        service_factory: makes the service (``SyncService``; tests may pass their own
            settings through a ``functools.partial``).

    Signals:
        status_changed(object): a new :class:`SyncStatus`.
        remote_changed(list): ids of incidents that received events from the server.
    """

    status_changed = Signal(object)
    remote_changed = Signal(list)
    _status_from_thread = Signal(int, object)
    _changed_from_thread = Signal(int, list)

    def __init__(
        self,
        data_dir: Path,
        author: str,
        parent: QObject | None = None,
        service_factory: ServiceFactory = default_service,
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._author = author
        self._factory = service_factory
        self._service: SyncService | None = None
        self._retiring: SyncService | None = None  # stopping; the next one waits for it
        self._generation = 0  # callbacks of a service replaced since are ignored
        self._stopped = False
        self.status = SyncStatus(LOCAL_ONLY)
        self._status_from_thread.connect(self._deliver_status)
        self._changed_from_thread.connect(self._deliver_changed)
        self._restart_timer = QTimer(self)
        self._restart_timer.setInterval(RESTART_POLL_MS)
        self._restart_timer.timeout.connect(self._start_when_retired)
        self._restart_deadline = 0.0

    @property
    def data_dir(self) -> Path:
        """The profile folder this workstation syncs."""
        return self._data_dir

    @property
    def service(self) -> SyncService | None:
        """The current service thread (None: not syncing)."""
        return self._service

    def start(self, connected: bool) -> None:
        """Start syncing when the profile has a shared database (``connected``); otherwise
        show "local only". A running service is replaced (used after the connection changed).
        """
        self._stopped = False
        self._retire()
        if not connected:
            self._set_status(SyncStatus(LOCAL_ONLY))
            return
        self._set_status(SyncStatus(SYNCING))
        if self._retiring is not None and self._retiring.is_alive():
            # The old service may be in the middle of a round: start after it ended, so two
            # services never push the same outbox to two servers.
            self._restart_deadline = time.monotonic() + RESTART_WAIT_S
            self._restart_timer.start()
        else:
            self._launch()

    def wake(self) -> None:
        """Local changes are waiting: send them up now (cheap; safe to call often)."""
        if self._service is not None:
            self._service.wake()

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Stop syncing; waits at most ``timeout`` seconds for the thread (never forever).

        The thread is a daemon: one still busy after the wait (a connect timing out) does
        not keep the program alive, and its late reports are ignored.
        """
        self._stopped = True
        self._restart_timer.stop()
        self._retire()
        retiring = self._retiring
        if retiring is not None and retiring.is_alive():
            retiring.stop(timeout)
            if retiring.is_alive():
                log.info("the sync thread did not stop within %.1f s; leaving it", timeout)

    # ------------------------------------------------------------ internals

    def _retire(self) -> None:
        self._generation += 1
        service, self._service = self._service, None
        if service is not None:
            service.stop(timeout=0)  # ask it to stop; never wait on the GUI thread here
            self._retiring = service

    def _start_when_retired(self) -> None:
        retiring = self._retiring
        if retiring is None or not retiring.is_alive() or time.monotonic() > self._restart_deadline:
            self._restart_timer.stop()
            self._launch()

    def _launch(self) -> None:
        if self._stopped:
            return
        self._retiring = None
        generation = self._generation
        data_dir, author = self._data_dir, self._author

        def open_desk() -> Desk:  # runs on the sync thread
            from incidentdesk.app.desk import Desk

            return Desk.open(data_dir, author)

        def open_server() -> SharedStore | None:  # runs on the sync thread (reads the keyring)
            from incidentdesk.runtime.sync import SharedError, open_shared

            try:
                profile = Profile.load(data_dir)
            except ConfigError as exc:
                raise SharedError(str(exc)) from None
            return open_shared(profile)

        def on_status(status: SyncStatus) -> None:  # on the sync thread
            if generation == self._generation:
                self._emit_safely(lambda: self._status_from_thread.emit(generation, status))

        def on_changed(incident_ids: list[str]) -> None:  # on the sync thread
            if generation == self._generation:
                changed = list(incident_ids)
                self._emit_safely(lambda: self._changed_from_thread.emit(generation, changed))

        service = self._factory(open_desk, open_server, on_status, on_changed)
        self._service = service
        service.start()

    @staticmethod
    def _emit_safely(emit: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone while a round ended
            emit()

    def _deliver_status(self, generation: int, status: SyncStatus) -> None:
        if generation == self._generation:
            self._set_status(status)

    def _deliver_changed(self, generation: int, incident_ids: list[str]) -> None:
        if generation == self._generation:
            self.remote_changed.emit(incident_ids)

    def _set_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)


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
