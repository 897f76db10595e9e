"""Messages shown next to what they are about: a tinted box with a coloured edge.

The text keeps the palette's colour (readable in light and dark themes); the tint and the
edge carry the meaning. Hidden while there is nothing to say.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from incidentdesk.ui.common.style import ERROR_COLOR, OK_COLOR


def note_css(color: str) -> str:
    """The stylesheet of a note edged in ``color``."""
    tint = QColor(color)
    return (
        f"QLabel {{ background-color: rgba({tint.red()}, {tint.green()}, {tint.blue()}, 40);"
        f" border-left: 3px solid {color}; padding: 3px 6px; }}"
    )


class InlineNote(QLabel):
    """A note edged in one colour."""

    color = OK_COLOR

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(note_css(self.color))
        self.hide()

    def show_message(self, message: str) -> None:
        """Show ``message`` (an empty one hides the note)."""
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        """Hide the note."""
        self.show_message("")


class InlineError(InlineNote):
    """A refusal shown next to what caused it."""

    color = ERROR_COLOR


class SuccessNote(InlineNote):
    """A step that worked."""

    color = OK_COLOR
