"""The keyboard shortcut overview, built from the actions themselves (so it stays true).

F1 shows it as a two-column grid, keys on the left and what they do on the right, so the
descriptions line up whatever the font (spaces never align a proportional font).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(root: QWidget) -> list[tuple[str, str]]:
    """``(keys, what they do)`` for every action with a shortcut under ``root``, by name."""
    lines: dict[str, str] = {}
    for action in root.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        name = action.text().replace("&", "").rstrip("…").strip()
        if keys and name:
            lines.setdefault(name, keys)
    lines.setdefault("Add a note (quick entry)", "Enter")
    lines.setdefault("Recall the last entry", "Up")
    return [(keys, name) for name, keys in sorted(lines.items(), key=lambda kv: kv[0].casefold())]


def shortcut_overview(root: QWidget) -> str:
    """Every action with a shortcut under ``root``, one per line (for a text copy)."""
    return "\n".join(f"{keys}\t{name}" for keys, name in shortcut_rows(root))


class ShortcutsDialog(QDialog):
    """The shortcut overview: a grid of keys and what they do."""

    def __init__(self, root: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        grid_box = QWidget(self)
        grid = QGridLayout(grid_box)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        self.key_labels: list[QLabel] = []
        self.description_labels: list[QLabel] = []
        for row, (keys, name) in enumerate(shortcut_rows(root)):
            key = QLabel(f"<b>{keys}</b>", grid_box)
            key.setTextFormat(Qt.TextFormat.RichText)
            what = QLabel(name, grid_box)
            what.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(what, row, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.key_labels.append(key)
            self.description_labels.append(what)
        scroll = QScrollArea(self)
        scroll.setWidget(grid_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry() if self.screen() else None
        height = grid_box.sizeHint().height() + buttons.sizeHint().height() + 40
        if screen is not None:
            height = min(height, int(screen.height() * 0.8))
        self.resize(max(460, grid_box.sizeHint().width() + 60), height)
