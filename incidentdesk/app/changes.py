"""What a command changed, reported by the Desk to whoever listens (on the thread that made
the change).

Every event the :class:`~incidentdesk.app.recorder.Recorder` saves is reported, after its
transaction committed, as one :class:`Change`: the UI's client learns from it whether a
command queued pages or chat posts (and wakes the courier), without comparing counters.
A command that records several events (a status change announced to chat, a post-mortem
started with its prefilled sections) reports each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from incidentdesk.core.journal.ids import CATALOG_ID


@dataclass(frozen=True)
class Change:
    """One saved event and what it asked for.

    Attributes:
        event_id: the event's id.
        incident_id: its incident (``CATALOG_ID`` for a catalog import).
        kind: the event's kind (``note.added``, ``escalation.requested``, …).
        queued: how many deliveries (pages, chat posts) went into the outbox with it.
    """

    event_id: str
    incident_id: str
    kind: str
    queued: int = 0

    @property
    def catalog(self) -> bool:
        """Whether the service catalog changed."""
        return self.incident_id == CATALOG_ID


class ChangeFeed:
    """The Desk's subscribers to its changes; each is called on the thread that recorded."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[Change], None]] = []

    def subscribe(self, subscriber: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``subscriber`` with every change from now on; returns how to stop."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, change: Change) -> None:
        """Tell every subscriber (the recorder calls this once the change is saved)."""
        for subscriber in list(self._subscribers):
            subscriber(change)

    @contextmanager
    def watching(self) -> Iterator[list[Change]]:
        """The changes made while the ``with`` block runs, in order."""
        seen: list[Change] = []
        unsubscribe = self.subscribe(seen.append)
        try:
            yield seen
        finally:
            unsubscribe()
