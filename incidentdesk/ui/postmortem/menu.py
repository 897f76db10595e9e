"""The post-mortem entries of the main window's menus, and the editor windows they open.

Light on purpose: the editor (and the blameless check) load when a post-mortem is first
opened, not when the window starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from incidentdesk.ui.postmortem.editor import PostmortemEditor
    from incidentdesk.ui.shell.main_window import MainWindow


class PostmortemWindows(QObject):
    """The open post-mortem editors and the My action items window of a main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.editors: dict[str, PostmortemEditor] = {}
        self.my_items: QWidget | None = None

    def open_selected(self) -> PostmortemEditor | None:
        """Open the post-mortem of the incident selected in the command view."""
        incident_id = self.window.command_view.incident_id
        if incident_id is None:
            self.window.show_message("Select an incident first.")
            return None
        return self.open(incident_id)

    def open(self, incident_id: str) -> PostmortemEditor:
        """Open (or raise) the post-mortem editor of an incident, as its own window."""
        from incidentdesk.ui.postmortem.editor import PostmortemEditor  # loads on first use

        editor = self.editors.get(incident_id)
        if editor is None:
            editor = PostmortemEditor(self.window.client, incident_id, self.window)
            editor.setWindowFlag(Qt.WindowType.Window, True)
            editor.setWindowTitle("Post-mortem — IncidentDesk")
            editor.message.connect(self.window.show_message)
            editor.resize(editor.sizeHint())
            self.editors[incident_id] = editor
            self.window.client.stopping.connect(editor.flush)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def open_my_action_items(self) -> QWidget:
        """Show "My action items" across incidents."""
        from incidentdesk.ui.postmortem.my_action_items import MyActionItems

        if self.my_items is None:
            view = MyActionItems(self.window.client, self.window)
            view.setWindowFlag(Qt.WindowType.Window, True)
            view.open_requested.connect(self.open)
            view.resize(900, 480)
            self.my_items = view
        self.my_items.show()
        self.my_items.raise_()
        return self.my_items


def install_postmortem(
    window: MainWindow,
    incident_menu: QMenu,
    view_menu: QMenu,
    incident_before: QAction | None = None,
) -> PostmortemWindows:
    """Add "Incident → Post-mortem…" (Ctrl+Shift+P; before ``incident_before`` when given)
    and "View → My action items" to a main window's menus; returns the object that keeps
    the editors (one window per incident) and the My action items window."""
    windows = PostmortemWindows(window)
    open_action = QAction("&Post-mortem…", incident_menu)
    open_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    open_action.triggered.connect(lambda _c=False: windows.open_selected())
    incident_menu.insertAction(incident_before, open_action)  # type: ignore[arg-type]
    mine_action = view_menu.addAction("My &action items")
    mine_action.triggered.connect(lambda _c=False: windows.open_my_action_items())
    return windows
