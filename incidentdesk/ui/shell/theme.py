"""Light and dark themes: follow the system by default, switchable."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from incidentdesk.ui.common.resources import resource_path

THEMES = ("system", "light", "dark")


def effective_theme(choice: str) -> str:
    """``light`` or ``dark``: the system's scheme when the choice is ``system``."""
    if choice in ("light", "dark"):
        return choice
    app = QApplication.instance()
    if isinstance(app, QApplication):
        scheme = app.styleHints().colorScheme()
        if scheme == Qt.ColorScheme.Dark:
            return "dark"
    return "light"


def dark_palette() -> QPalette:
    """A calm dark palette (Fusion style)."""
    colors = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#24262a",
        QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ff6e6e",
        QPalette.ColorRole.Highlight: "#2d5d92",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.PlaceholderText: "#8a8d91",
        QPalette.ColorRole.Mid: "#3c4043",
        QPalette.ColorRole.Midlight: "#3c4043",
        QPalette.ColorRole.Dark: "#111214",
    }
    return _palette(colors, disabled_text="#6f7378")


def light_palette() -> QPalette:
    """A light palette with gentle greys (Fusion style)."""
    colors = {
        QPalette.ColorRole.Window: "#f6f7f9",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f3f5f8",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#eef0f3",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.Highlight: "#cfe3fb",
        QPalette.ColorRole.HighlightedText: "#111111",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#7a7f86",
    }
    return _palette(colors, disabled_text="#9aa0a6")


def _palette(colors: dict[QPalette.ColorRole, str], disabled_text: str) -> QPalette:
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled_text))
    return palette


def apply_theme(app: QApplication, choice: str) -> str:
    """Apply a theme choice; returns the theme in effect (``light`` or ``dark``)."""
    theme = effective_theme(choice)
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if theme == "dark" else light_palette())
    app.setStyleSheet(theme_stylesheet(theme))
    return theme


def theme_stylesheet(theme: str) -> str:
    """A theme's style sheet, with ``@icons@`` replaced by the icons folder (Qt reads a
    ``url()`` in a style sheet relative to the working directory, not to the file)."""
    path = resource_path("themes", f"{theme}.qss")
    if not path.exists():
        return ""
    icons = resource_path("icons").as_posix()
    return path.read_text(encoding="utf-8").replace("@icons@", icons)


class ThemeMenu(QObject):
    """The Theme menu: one checkable action per choice, the choice applied to the application,
    remembered in ``settings`` (key ``theme``) and followed when the system's scheme changes.

    Args:
        menu: the (empty) menu to fill.
        settings: where the choice is remembered; the choice kept there is shown checked.
    """

    def __init__(self, menu: QMenu, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for name in THEMES:
            action = menu.addAction(name.capitalize())
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, n=name: self.set_theme(n))
            group.addAction(action)
            self.actions[name] = action
        theme = str(settings.value("theme", "system"))
        self.choice = theme if theme in THEMES else "system"
        self.actions[self.choice].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)

    def set_theme(self, name: str) -> None:
        """Switch theme and remember the choice."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.choice = name
        self._settings.setValue("theme", name)
        self.actions[name].setChecked(True)

    def _system_scheme_changed(self) -> None:
        if self.choice == "system":
            self.set_theme("system")
