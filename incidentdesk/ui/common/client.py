"""The UI's handle on the Desk, and the one change feed every view listens to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from incidentdesk.ui.common.tasks import StoreWorker, user_message

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk

T = TypeVar("T")
POLL_MS = 200  # well inside the half second in which other writers' entries must show


@dataclass(frozen=True)
class FollowUp:
    """Something to read right after a command, in its job (DeskClient.follow_commands).

    Attributes:
        read: runs on the worker just after the command (it must not raise: return the
            error instead).
        deliver: gets what ``read`` returned, on the GUI thread, before the command's own
            callbacks; None when the command failed (then nothing was read).
    """

    read: Callable[[Desk], Any]
    deliver: Callable[[Any], None]


class DeskClient(QObject):
    """Runs Desk calls on the store worker and announces which incidents changed.

    Every change, made here or by another process writing the same file (an alerting script
    calling ``incidentdesk note``), reaches views the same way: ``incidents_changed`` names
    the incidents with new events, and each view fetches just what arrived after its own
    position. Noticing is cheap: one index lookup of the newest ``seq`` per poll.

    Signals:
        incidents_changed(list): ids of incidents with new events.
        error(str): a call without its own error handler failed; the message is for the user.
        busy_changed(bool): the worker started or finished a burst of work.
        command_saved(): a local change was saved (sync sends it up at once).
        deliveries_queued(): a command queued pages or chat posts (the courier sends them).
        stopping(): :meth:`stop` was called (background services stop with the client).
    """

    incidents_changed = Signal(list)
    error = Signal(str)
    busy_changed = Signal(bool)
    command_saved = Signal()
    deliveries_queued = Signal()
    stopping = Signal()

    def __init__(
        self,
        desk: Desk | None = None,
        parent: QObject | None = None,
        poll_ms: int = POLL_MS,
        author: str = "",
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self._author = desk.author if desk is not None else author
        self.worker = StoreWorker(self)
        self.worker.failed.connect(self.error)
        self.worker.busy_changed.connect(self.busy_changed)
        self._cursor: int | None = None
        self._polling = False
        self._repoll = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poke)
        self._follow_ups: list[Callable[[], FollowUp | None]] = []

    @property
    def author(self) -> str:
        """Who this workstation records as (a plain attribute: no I/O)."""
        return self._author

    def set_author(self, name: str) -> None:
        """Record as someone else from now on (a name changed in Settings)."""
        from incidentdesk.core.text import clean_name

        self._author = clean_name(name, "author name")

        def change(desk: Desk) -> None:
            desk.author = self._author

        self.call(change)

    def open(
        self,
        factory: Callable[[], Desk],
        on_done: Callable[[Desk], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Open the Desk on the worker (opening reads and may upgrade the database)."""

        def opening() -> Desk:
            self._desk = factory()
            self._author = self._desk.author
            return self._desk

        self.worker.submit(opening, on_done, on_error)

    def call(
        self,
        job: Callable[[Desk], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``job(desk)`` on the worker; callbacks run on the GUI thread."""
        self.worker.submit(lambda: job(self._opened()), on_done, on_error)

    def _opened(self) -> Desk:
        # Runs on the worker, after any queued open(): jobs run in submission order.
        if self._desk is None:
            raise RuntimeError("The Desk is not open.")
        return self._desk

    def command(
        self,
        job: Callable[[Desk], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Like :meth:`call` for a change: views hear of it as soon as it is saved, and the
        courier is woken when it queued a page or a chat post."""

        # Each follow-up is asked now, on the GUI thread, what to read after the change.
        reads = [f for f in (ask() for ask in self._follow_ups) if f is not None]

        def run(desk: Desk) -> tuple[T, bool, list[Any]]:
            # The Desk reports each event the job saved, here on the worker: did any of
            # them queue a page or a chat post for the courier?
            with desk.changes.watching() as changes:
                result = job(desk)
            return result, any(change.queued for change in changes), [f.read(desk) for f in reads]

        def done(outcome: tuple[T, bool, list[Any]]) -> None:
            result, queued, values = outcome
            for follow_up, value in zip(reads, values, strict=True):
                follow_up.deliver(value)
            self.command_saved.emit()
            if queued:
                self.deliveries_queued.emit()
            self.poke()
            if on_done is not None:
                on_done(result)

        def failed(error: BaseException) -> None:
            for follow_up in reads:
                follow_up.deliver(None)
            if on_error is not None:
                on_error(error)
            else:
                self.error.emit(user_message(error))

        self.call(run, done, failed)

    def follow_commands(self, ask: Callable[[], FollowUp | None]) -> None:
        """Read something right after every command, in the command's job on the worker.

        ``ask()`` runs on the GUI thread as each command is queued and says what to read
        (None: nothing). The command view reads the open incident's new rows this way: the
        entry typed shows without a second trip to the worker.
        """
        self._follow_ups.append(ask)

    def start_feed(self, cursor: int | None = None) -> None:
        """Start noticing changes.

        Args:
            cursor: the journal position the views' first load started from; changes after
                it are announced. None: the first look only records where the journal is.
        """
        if cursor is not None and self._cursor is None:
            self._cursor = cursor
        self._timer.start()
        self.poke()

    def stop(self) -> None:
        """Stop the feed, finish queued work and close the Desk."""
        self.stopping.emit()
        self._timer.stop()
        desk = self._desk
        if desk is not None:
            self.worker.submit(desk.close)
        self.worker.shutdown()

    def poke(self) -> None:
        """Look for new events now (one look at a time; a poke during a look repeats it)."""
        if self._polling:
            self._repoll = True
            return
        self._polling = True
        cursor = self._cursor
        self.call(
            lambda desk: desk.incidents.changes_since(cursor or 0),
            lambda result: self._polled(cursor, result),
            self._poll_failed,
        )

    def _polled(self, asked: int | None, result: tuple[int, list[str]]) -> None:
        newest, changed = result
        self._cursor = newest
        self._polling = False
        if asked is not None and changed:
            self.incidents_changed.emit(changed)
        if self._repoll:
            self._repoll = False
            self.poke()

    def _poll_failed(self, error: BaseException) -> None:
        self._polling = False
        self.error.emit(user_message(error))

    def describe(self) -> dict[str, Any]:
        """Facts for diagnostics (no I/O)."""
        return {"author": self._author, "cursor": self._cursor}
