"""The shared database's live link: the store's one connection, LISTENing between queries.

The sync thread blocks here on the connection's socket (and on a wake-up pipe of its own),
so an idle workstation costs the server nothing and its own thread no CPU. Notifications
that arrive while a pull or push runs on the same connection are kept by psycopg and
returned by the next :meth:`Listener.wait`.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class Heard:
    """What one :meth:`Listener.wait` returned.

    Attributes:
        notified: how many notifications from other sessions arrived.
        seqs: the ``seq`` each names (0007 on: a statement's highest; before, per-row
            notifications name ``incident:seq`` and are read the same way; a bare NOTIFY
            names none).
        woken: the wake-up file descriptor was readable (a local change to push).
    """

    notified: int = 0
    seqs: frozenset[int] = frozenset()
    woken: bool = False

    @property
    def high_seq(self) -> int:
        """The highest ``seq`` named (0: none)."""
        return max(self.seqs, default=0)


def notified_seq(payload: str) -> int:
    """The ``seq`` a notification names: ``"123"`` (0007 on) or ``"incident:123"``."""
    try:
        return int(payload.rpartition(":")[2])
    except ValueError:
        return 0


class Listener:
    """Waits for notifications on a LISTENing psycopg connection.

    It raises ``psycopg.Error`` or ``OSError`` when the link is gone (see
    ``shared.LINK_ERRORS``). Notifications this session sent itself (its own pushes) are
    not counted: it has those rows already.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        ping: Callable[[], None],
        close: Callable[[], None],
    ) -> None:
        self._conn = conn
        self._ping = ping
        self._close = close

    def wait(self, timeout: float, wake_fd: int | None = None) -> Heard:
        """Block until a notification, the wake-up descriptor, or ``timeout`` seconds."""
        heard = self.drain()
        if heard.notified:
            return heard
        watched = [self._conn.fileno()] + ([wake_fd] if wake_fd is not None else [])
        ready, _, _ = select.select(watched, [], [], max(0.0, timeout))
        woken = wake_fd is not None and wake_fd in ready
        heard = self.drain() if self._conn.fileno() in ready else heard
        return Heard(heard.notified, heard.seqs, woken)

    def drain(self) -> Heard:
        """What arrived so far, without waiting."""
        own = self._conn.info.backend_pid
        count = 0
        seqs: set[int] = set()
        for note in self._conn.notifies(timeout=0):
            if note.pid == own:
                continue
            count += 1
            seqs.add(notified_seq(note.payload))
        return Heard(count, frozenset(seqs - {0}))

    def check(self) -> None:
        """A round trip: a dropped link fails here (or by keepalive)."""
        self._ping()

    def close(self) -> None:
        """Close the connection."""
        self._close()
