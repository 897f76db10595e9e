"""Background work: every Desk call runs on one serial worker thread, never the GUI thread.

Results come back to the GUI thread through a queued Qt signal, where the caller's
callbacks run. Callbacks must not call the Desk themselves: they submit another job.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from incidentdesk.core.errors import UserError

T = TypeVar("T")
log = logging.getLogger(__name__)

# The worker and the GUI thread share one GIL. A thread asking for it waits until the
# holder has run this long (Python's default is 5 ms): a table's paint calls into Python for
# every cell, so behind a busy worker it went in 5 ms steps. Measured with a worker busy in
# Python the whole time: a timeline paint took 73 ms at 5 ms, 48-56 ms at 1 ms.
SWITCH_INTERVAL_S = 0.001

# Failures a user caused or can act on are shown as they are; anything else is a bug.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (UserError,)


def user_message(error: BaseException) -> str:
    """What to tell the user about a failed job."""
    if isinstance(error, EXPECTED_ERRORS):
        return str(error)
    return f"Something went wrong ({type(error).__name__}: {error}); it has been logged."


class StoreWorker(QObject):
    """Runs jobs one at a time, in order, on a background thread.

    Signals:
        failed(str): a job without an error callback failed; the message is for the user.
        busy_changed(bool): work started (True) or the queue ran empty (False).
    """

    failed = Signal(str)
    busy_changed = Signal(bool)
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)  # for the whole process: see above
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incidentdesk-store")
        self._pending = 0
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self._finished.connect(self._deliver)

    def submit(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Queue ``job``; ``on_done(result)`` or ``on_error(exc)`` later runs on the GUI thread.

        After :meth:`shutdown` (the window is closing) new jobs are dropped.
        """
        if self._closed:
            log.debug("job dropped: the worker is shut down")
            return
        if self._pending == 0:
            self.busy_changed.emit(True)
        self._pending += 1
        self._idle.clear()
        future = self._pool.submit(job)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))

    def _deliver(self, item: tuple[Future[Any], Any, Any]) -> None:
        future, on_done, on_error = item
        self._pending -= 1
        try:
            error = future.exception()
            if error is not None:
                if not isinstance(error, EXPECTED_ERRORS):
                    log.error("background job failed", exc_info=error)
                if on_error is not None:
                    on_error(error)
                else:
                    self.failed.emit(user_message(error))
            elif on_done is not None:
                on_done(future.result())
        finally:
            if self._pending == 0:
                self._idle.set()
                self.busy_changed.emit(False)

    @property
    def pending(self) -> int:
        """Jobs submitted whose callbacks have not run yet."""
        return self._pending

    def shutdown(self) -> None:
        """Finish queued jobs and stop the thread (callbacks of late jobs are dropped)."""
        self._closed = True
        self._pool.shutdown(wait=True)
