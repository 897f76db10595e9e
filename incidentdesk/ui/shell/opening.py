"""The window's start: a lean first read, then the Desk, both on the store worker while the
window is being built.

The worker runs jobs in order: first the lean read of the incident the last session showed
(:func:`incidentdesk.app.glance.glance`, a few milliseconds, no SQLAlchemy), so the window
paints it at once; then the Desk's opening (SQLAlchemy's import, the schema check); then the
window's first load and whatever the user did meanwhile, such as a note entered at once.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from PySide6.QtCore import QSettings, QTimer

from incidentdesk.app.glance import Glance, glance
from incidentdesk.app.profile import due_days
from incidentdesk.core.errors import UserError
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.shell.main_window import COMMAND, VIEWS

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk

FIRST_PAINT_WAIT_S = 2.0  # the Desk waits at most this long for the first paint
log = logging.getLogger(__name__)


class Opened(Protocol):
    """What the opening needs of the window (the shell's main window)."""

    def show_glance(self, glance: Glance) -> None: ...


W = TypeVar("W", bound=Opened)


class WindowOpening(Generic[W]):
    """Queues the first read and the Desk's opening on ``client``'s worker at once; their
    answers wait for :meth:`built` when they come while the window is still being built
    (an event loop can run during the build).

    Args:
        client: the window's client (its worker runs both).
        data_dir, name: the profile and who records.
        settings: the profile's window settings (the last incident shown).
        first_read: whether to read the last incident first (not when a first job, such as
            seeding the demo, decides what opens).
        opened: runs once the Desk is open and the window built.
        failed: runs when the Desk cannot be opened, once the window is built.
    """

    def __init__(
        self,
        client: DeskClient,
        data_dir: Path,
        name: str,
        settings: QSettings,
        first_read: bool,
        opened: Callable[[W], None],
        failed: Callable[[W, BaseException], None],
    ) -> None:
        self.window: W | None = None
        self._early: list[Callable[[W], None]] = []
        self.painted = threading.Event()  # the first read is painted (or there is none)
        # Only when the window reopens on the command view: the first read paints nothing
        # behind another view, and would only hold the Desk back.
        on_command = str(settings.value("window/view", VIEWS[COMMAND])) == VIEWS[COMMAND]
        last = str(settings.value("last_incident", "") or "") if first_read and on_command else ""
        if last:
            client.worker.submit(
                lambda: glance(data_dir, last), self._show, lambda _error: self.painted.set()
            )
        else:
            self.painted.set()

        def opening() -> Desk:
            # The Desk's opening waits for the first paint, at most FIRST_PAINT_WAIT_S: both
            # are Python work under one interpreter lock, so together the paint would only
            # come later.
            self.painted.wait(FIRST_PAINT_WAIT_S)
            return open_desk(data_dir, name)

        def done(_desk: object) -> None:
            freeze_heap()
            self._when_built(opened)

        client.open(opening, done, lambda error: self._when_built(lambda w: failed(w, error)))

    def built(self, window: W) -> None:
        """The window exists: hand it what arrived while it was being built."""
        self.window = window
        early, self._early = self._early, []
        for then in early:
            then(window)

    def _when_built(self, then: Callable[[W], None]) -> None:
        if self.window is None:
            self._early.append(then)
        else:
            then(self.window)

    def _show(self, found: Glance | None) -> None:
        if found is None:
            self.painted.set()
            return

        def show(window: W) -> None:
            window.show_glance(found)
            QTimer.singleShot(0, self.painted.set)  # after the paint this has asked for

        self._when_built(show)


def open_desk(data_dir: Path, name: str) -> Desk:
    """Open the profile's Desk (on the store worker: SQLAlchemy loads there)."""
    from incidentdesk.app.desk import Desk

    desk = Desk.open(data_dir, name)
    try:
        desk.action_items.due_days = due_days(data_dir)
    except UserError as exc:  # a damaged config.toml: the defaults, and say so in the log
        log.warning("action item due days: %s", exc)
    return desk


def freeze_heap() -> None:
    """Put every object alive now out of the cyclic collector's reach (``gc.freeze``).

    What exists once the Desk is open (modules, classes, Qt wrappers, SQLAlchemy's
    caches) lives as long as the app. Left in the collector's oldest generation, a full
    collection walks all of it while holding the GIL: measured at 65-85 ms on the store
    worker, during which the GUI thread could not run a single slot. Frozen, a full
    collection walks only what was made since.
    """
    gc.freeze()
