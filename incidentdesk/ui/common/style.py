"""Shared colours and small drawing helpers (so every panel speaks the same visual language).

Panels use the palette (``QPalette``) for text and backgrounds so light and dark themes both
work; only meaning-carrying accents come from here.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

SEVERITY_COLORS: dict[str, str] = {
    "SEV1": "#d32f2f",  # red
    "SEV2": "#ef6c00",  # orange
    "SEV3": "#f9a825",  # amber
    "SEV4": "#1e88e5",  # blue
    "SEV5": "#757575",  # grey
}
STATUS_COLORS: dict[str, str] = {
    "investigating": "#d32f2f",
    "identified": "#ef6c00",
    "mitigated": "#1e88e5",
    "resolved": "#2e7d32",
    "closed": "#757575",
}
# The incident's status in the header: an outlined pill in a colour per state, none of them a
# severity's, so "SEV1" and "Investigating" never read as the same kind of thing.
INCIDENT_STATUS_COLORS: dict[str, str] = {
    "investigating": "#8e6bd1",  # violet: looking
    "identified": "#0f9d8f",  # teal: cause known
    "mitigated": "#3d8bd9",  # blue: monitoring
    "resolved": "#43a047",  # green
    "closed": "#8a8d91",  # grey
}
WARNING_COLOR = "#f57c00"  # unfilled key roles, reminders
OK_COLOR = "#2e7d32"
ERROR_COLOR = SEVERITY_COLORS["SEV1"]  # refusals: the same red as the worst severity


def severity_color(code: str) -> QColor:
    """The badge colour of a severity."""
    return QColor(SEVERITY_COLORS.get(code, "#757575"))


def badge_css(color: str) -> str:
    """A rounded, white-on-colour badge (for QLabel)."""
    return (
        f"background-color: {color}; color: white; border-radius: 4px; "
        "padding: 2px 8px; font-weight: 600;"
    )


def status_badge_css(color: str) -> str:
    """An outlined, tinted pill in the theme's text colour (for QLabel): a status, set apart
    from the solid severity badge."""
    c = QColor(color)
    return (
        f"background-color: rgba({c.red()}, {c.green()}, {c.blue()}, 40); "
        f"border: 2px solid {color}; border-radius: 9px; color: palette(window-text); "
        "padding: 0px 9px; font-weight: 600;"
    )
