"""The library, metrics and catalog views, made when first shown (or asked for): the window
starts without building, or even importing, the views nobody has looked at yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from incidentdesk.core.journal.sync_state import SyncStatus
from incidentdesk.ui.common.client import DeskClient

if TYPE_CHECKING:
    from incidentdesk.ui.catalog.browser import CatalogBrowser
    from incidentdesk.ui.library.panel import LibraryPanel
    from incidentdesk.ui.metrics.panel import MetricsPanel
    from incidentdesk.ui.postmortem.menu import PostmortemWindows


class LazyPage(QWidget):
    """A view's tab whose widget is made when the tab first shows, or when asked for: the
    window starts without building (or importing) views nobody has looked at yet.

    Args:
        make: makes the widget, given its parent (this page).
        made: runs once with the new widget (connect it, feed it what it missed).
    """

    def __init__(
        self, parent: QWidget, make: Callable[[QWidget], QWidget], made: Callable[[Any], None]
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._make = make
        self._made = made
        self.widget: QWidget | None = None

    def get(self) -> QWidget:
        """The widget (made now if it was not yet)."""
        if self.widget is None:
            self.widget = self._make(self)
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.widget)
            if self.isVisible():  # made as the tab shows: laid out and shown at once
                self.widget.show()
                layout.activate()
            self._made(self.widget)
        return self.widget

    def showEvent(self, event: QShowEvent) -> None:
        self.get()
        super().showEvent(event)


class WhenMade:
    """Feeds rows to a lazy page's widget once it exists (it is fed the newest when made)."""

    def __init__(self, page: LazyPage) -> None:
        self.page = page

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        widget = self.page.widget
        if widget is not None:
            widget.set_rows(rows)  # type: ignore[attr-defined]


class Window(Protocol):
    """What the views need of the window once they are made."""

    postmortems: PostmortemWindows
    rows_loaded: bool

    def show_message(self, text: str) -> None: ...

    def open_incident(self, incident_id: str) -> None: ...

    def newest_rows(self) -> list[dict[str, Any]]: ...


class LazyViews:
    """The window's lazily made views (``pages``: name → tab page, in tab order)."""

    def __init__(self, window: Window, parent: QWidget, client: DeskClient) -> None:
        self.window = window
        self.sync_now: SyncStatus | None = None  # the newest sync status, for the library
        self.pages = {
            "library": LazyPage(parent, lambda p: _library(client, p), self._library_made),
            "metrics": LazyPage(parent, lambda p: _metrics(client, p), self._feed_rows),
            "catalog": LazyPage(parent, lambda p: _catalog(client, p), self._catalog_made),
        }

    def library(self) -> LibraryPanel | None:
        """The library if it has been made."""
        return self.pages["library"].widget  # type: ignore[return-value]

    def _library_made(self, library: LibraryPanel) -> None:
        library.message.connect(self.window.show_message)
        library.command_requested.connect(self.window.open_incident)
        library.postmortem_requested.connect(self.window.postmortems.open)
        if self.sync_now is not None:
            library.set_sync_status(self.sync_now)
        self._feed_rows(library)

    def _catalog_made(self, catalog: CatalogBrowser) -> None:
        catalog.message.connect(self.window.show_message)

    def _feed_rows(self, view: LibraryPanel | MetricsPanel) -> None:
        rows = self.window.newest_rows()
        if self.window.rows_loaded or rows:
            view.set_rows(rows)


def _library(client: DeskClient, parent: QWidget) -> LibraryPanel:
    from incidentdesk.ui.library.panel import LibraryPanel

    return LibraryPanel(client, parent)


def _metrics(client: DeskClient, parent: QWidget) -> MetricsPanel:
    from incidentdesk.ui.metrics.panel import MetricsPanel

    return MetricsPanel(client, parent)


def _catalog(client: DeskClient, parent: QWidget) -> CatalogBrowser:
    from incidentdesk.ui.catalog.browser import CatalogBrowser

    return CatalogBrowser(client, parent)
