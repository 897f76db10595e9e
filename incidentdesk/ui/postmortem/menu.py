"""The post-mortem entries of the main window's menus, and the editor windows they open.

Light on purpose: the editor (and the blameless check) load when a post-mortem is first
opened, not when the window starts. The windows are given what they use (the client, the
incident chosen now, a parent), never the main window itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from incidentdesk.ui.common.client import DeskClient
    from incidentdesk.ui.postmortem.editor import PostmortemEditor


class PostmortemWindows(QObject):
    """The open post-mortem editors and the My action items window.

    Args:
        client: the UI's handle on the Desk.
        current_incident: the incident chosen now (full id), None when none is.
        parent: the widget the windows belong to.

    Signals:
        message(str): something for the status bar.
    """

    message = Signal(str)

    def __init__(
        self,
        client: DeskClient,
        current_incident: Callable[[], str | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.current_incident = current_incident
        self.parent_widget = parent
        self.editors: dict[str, PostmortemEditor] = {}
        self.my_items: QWidget | None = None

    def open_selected(self) -> PostmortemEditor | None:
        """Open the post-mortem of the incident chosen now."""
        incident_id = self.current_incident()
        if incident_id is None:
            self.message.emit("Select an incident first.")
            return None
        return self.open(incident_id)

    def open(self, incident_id: str) -> PostmortemEditor:
        """Open (or raise) the post-mortem editor of an incident, as its own window."""
        from incidentdesk.ui.postmortem.editor import PostmortemEditor  # loads on first use

        editor = self.editors.get(incident_id)
        if editor is None:
            editor = PostmortemEditor(self.client, incident_id, self.parent_widget)
            editor.setWindowFlag(Qt.WindowType.Window, True)
            editor.setWindowTitle("Post-mortem — IncidentDesk")
            editor.message.connect(self.message)
            editor.resize(editor.sizeHint())
            self.editors[incident_id] = editor
            self.client.stopping.connect(editor.flush)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def open_my_action_items(self) -> QWidget:
        """Show "My action items" across incidents."""
        from incidentdesk.ui.postmortem.my_action_items import MyActionItems

        if self.my_items is None:
            view = MyActionItems(self.client, self.parent_widget)
            view.setWindowFlag(Qt.WindowType.Window, True)
            view.open_requested.connect(self.open)
            view.resize(900, 480)
            self.my_items = view
        self.my_items.show()
        self.my_items.raise_()
        return self.my_items


def install_postmortem(
    windows: PostmortemWindows,
    incident_menu: QMenu,
    view_menu: QMenu,
    incident_before: QAction | None = None,
) -> PostmortemWindows:
    """Add "Incident → Post-mortem…" (Ctrl+Shift+P; before ``incident_before`` when given)
    and "View → My action items" to a main window's menus, opening ``windows``; returns
    ``windows``."""
    open_action = QAction("&Post-mortem…", incident_menu)
    open_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    open_action.triggered.connect(lambda _c=False: windows.open_selected())
    incident_menu.insertAction(incident_before, open_action)  # type: ignore[arg-type]
    mine_action = view_menu.addAction("My &action items")
    mine_action.triggered.connect(lambda _c=False: windows.open_my_action_items())
    return windows
