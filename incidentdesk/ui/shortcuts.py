"""The keyboard shortcut overview, built from the actions themselves (so it stays true)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def shortcut_overview(root: QWidget) -> str:
    """Every action with a shortcut under ``root``, one per line."""
    lines: dict[str, str] = {}
    for action in root.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        name = action.text().replace("&", "").rstrip("…").strip()
        if keys and name:
            lines.setdefault(name, keys)
    lines.setdefault("Add a note (quick entry)", "Enter")
    lines.setdefault("Recall the last entry", "Up")
    return "\n".join(
        f"{keys:<16} {name}" for name, keys in sorted(lines.items(), key=lambda kv: kv[1])
    )
