"""The workstation's threads, as the window runs them: sync and courier, with Qt signals.

:mod:`incidentdesk.runtime.workstation` starts the threads (each opens its own Desk and its
own server connections: no SQL, network or keyring on the GUI thread); the objects here own
them for the window and bring their news to the GUI thread (a signal emitted from another
thread is delivered queued, in the receiver's thread). Only the shell starts threads (an
import-linter contract): the widgets that show the state are in
:mod:`incidentdesk.ui.settings.sync_status`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from incidentdesk.core.journal.sync_state import LOCAL_ONLY, SYNCING, SyncStatus
from incidentdesk.runtime.workstation import (
    CourierFactory,
    ServiceFactory,
    default_courier,
    default_service,
    start_courier,
    start_sync,
)

if TYPE_CHECKING:
    from incidentdesk.runtime.courier import CourierService
    from incidentdesk.runtime.sync import SyncService
    from incidentdesk.ui.common.client import DeskClient

__all__ = [
    "CourierFactory",
    "ServiceFactory",
    "WorkstationCourier",
    "WorkstationSync",
    "default_courier",
    "default_service",
]

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0  # closing the window waits this long for the sync thread, no longer
RESTART_POLL_MS = 50
RESTART_WAIT_S = 15.0  # a new service starts after the old one ended, or after this


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
        self._stopped = False  # by the window's close: a start still pending is dropped
        self._changed_from_thread.connect(self.changed)

    @property
    def service(self) -> CourierService | None:
        """The courier thread (None: not started, or stopped)."""
        return self._service

    def start(self) -> None:
        """Start the thread (once; a running courier is kept; never after :meth:`stop`,
        so a closed window's delayed start does not open a Desk behind it)."""
        if self._service is not None or self._stopped:
            return

        def on_changed(incident_ids: list[str]) -> None:  # on the courier thread
            changed = list(incident_ids)
            self._emit_safely(lambda: self._changed_from_thread.emit(changed))

        self._service = start_courier(self._data_dir, self._author, on_changed, self._factory)

    def follow(self, client: DeskClient) -> None:
        """Send what the window queues at once, and stop with the client.

        A page, acknowledgement or chat post queued here goes out at once; outcomes come
        back through the change feed like any other event.
        """
        client.deliveries_queued.connect(self.wake)
        self.changed.connect(lambda _ids: client.poke())
        client.stopping.connect(self.stop)

    def wake(self) -> None:
        """Something was queued: send it now (cheap; safe to call often)."""
        if self._service is not None:
            self._service.wake()

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Stop the thread; waits at most ``timeout`` seconds (an attempt in flight ends by
        its own request timeout; the thread is a daemon and never holds the program)."""
        self._stopped = True
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

    def follow(self, client: DeskClient) -> None:
        """Sync what the window's client saves at once, and stop with it.

        Remote entries poke the client's feed (it then fetches them like any change); local
        changes go up at once, saved here or by another program on this file.
        """
        self.remote_changed.connect(lambda _ids: client.poke())
        client.command_saved.connect(self.wake)
        client.incidents_changed.connect(lambda _ids: self.wake())
        client.stopping.connect(self.stop)

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

        def on_status(status: SyncStatus) -> None:  # on the sync thread
            if generation == self._generation:
                self._emit_safely(lambda: self._status_from_thread.emit(generation, status))

        def on_changed(incident_ids: list[str]) -> None:  # on the sync thread
            if generation == self._generation:
                changed = list(incident_ids)
                self._emit_safely(lambda: self._changed_from_thread.emit(generation, changed))

        self._service = start_sync(
            self._data_dir, self._author, on_status, on_changed, self._factory
        )

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
