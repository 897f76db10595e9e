"""The incident rows the window fetches once for every view that lists incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

Rows = list[dict[str, Any]]


class Listing(Protocol):
    """A view fed the incident rows."""

    def set_rows(self, rows: Rows) -> None: ...


class RowsFeed:
    """Feeds the incident list, the library and the metrics from one fetch: the view on
    screen first, painted at once, then the other list on the next turn of the event loop
    (5,000 incidents take tens of milliseconds to enter a model).

    Args:
        incident_list, library, metrics: the views (the metrics compute only when shown).
        library_showing: whether the library is the view on screen.
        context: the widget the deferred feed belongs to (no feed after it is gone).
    """

    def __init__(
        self,
        incident_list: Listing,
        library: Listing,
        metrics: Listing,
        library_showing: Callable[[], bool],
        context: QWidget,
    ) -> None:
        self._views = {"list": incident_list, "library": library}
        self._metrics = metrics
        self._library_showing = library_showing
        self._context = context
        self.rows: Rows = []  # the newest rows
        self._fed: dict[str, Rows | None] = {"list": None, "library": None}
        self._after_listed: list[Callable[[], None]] = []

    def set_rows(self, rows: Rows, then_listed: Callable[[], None] | None = None) -> None:
        """Feed these rows; ``then_listed`` runs once the incident list has them."""
        self.rows = rows
        if then_listed is not None:
            self._after_listed.append(then_listed)
        self._metrics.set_rows(rows)
        first, second = ("library", "list") if self._library_showing() else ("list", "library")
        self._feed(first)
        if self._context.isVisible():
            # Paint it now: a zero timer may well run before the event loop's next paint.
            self._context.repaint()
        QTimer.singleShot(0, self._context, lambda: self._feed(second))

    def _feed(self, name: str) -> None:
        if self._fed[name] is not self.rows:
            self._fed[name] = self.rows
            self._views[name].set_rows(self.rows)
        if name == "list":
            waiting, self._after_listed = self._after_listed, []
            for then in waiting:
                then()
