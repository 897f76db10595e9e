"""The shared database's live link: one connection LISTENing for new events."""

from __future__ import annotations

from typing import Any

import psycopg


class Listener:
    """The connection that LISTENs for new events; it raises ``psycopg.Error`` or ``OSError``
    when the link is gone (see ``shared.LINK_ERRORS``)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def notified(self, timeout: float) -> bool:
        """Whether a notification came within ``timeout`` seconds (what it names is not read:
        a pull fetches whatever is new)."""
        notified = False
        for _note in self._conn.notifies(timeout=timeout, stop_after=1):
            notified = True
        return notified

    def check(self) -> None:
        """A round trip: a dropped link fails here (or by keepalive)."""
        self._conn.execute("SELECT 1")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
