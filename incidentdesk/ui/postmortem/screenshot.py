"""The post-mortem editor rendered offscreen for a screenshot (``incidentdesk screenshot
--panel postmortem``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.postmortem.editor import PostmortemEditor

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk


def render_postmortem_for_screenshot(
    desk_client_or_desk: DeskClient | Desk,
    incident_id: str,
    size: tuple[int, int] = (1400, 900),
    timeout_s: float = 20.0,
) -> PostmortemEditor:
    """A post-mortem editor on ``incident_id``, loaded and laid out at ``size``, for
    ``grab()``. Given a Desk, a client is made for it (stopped with the editor)."""
    from incidentdesk.core.errors import DomainError

    app = QApplication.instance()
    if isinstance(desk_client_or_desk, DeskClient):
        client = desk_client_or_desk
        own = False
    else:
        client = DeskClient(desk_client_or_desk)
        own = True
    editor = PostmortemEditor(client, incident_id)
    if own:
        client.setParent(editor)
    editor.resize(*size)
    editor.show()
    deadline = time.monotonic() + timeout_s
    while not (editor.is_loaded and client.worker.pending == 0):
        if time.monotonic() > deadline:
            raise DomainError("The post-mortem did not load in time for the screenshot.")
        if app is not None:
            app.processEvents()
        time.sleep(0.005)
    for _ in range(10):
        if app is not None:
            app.processEvents()
    editor.edit.moveCursor(QTextCursor.MoveOperation.Start)
    editor.edit.ensureCursorVisible()
    return editor
