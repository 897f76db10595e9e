"""``incidentdesk screenshot``: render the window offscreen with real data, save a PNG."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from incidentdesk.core.errors import DomainError

if TYPE_CHECKING:  # the command line imports this module: Qt loads only for a screenshot
    from PySide6.QtWidgets import QWidget

    from incidentdesk.ui.shell.main_window import MainWindow

PANELS = (
    "window",
    "incidents",
    "command",
    "header",
    "roles",
    "escalation",
    "timeline",
    "quick-entry",
    "declare",
    "update",
    "library",
    "metrics",
    "catalog",
    "postmortem",
)


class _NoCourier:
    """A screenshot sends nothing: it stands in for the courier thread."""

    def __init__(self, *_args: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def wake(self) -> None:
        pass

    def stop(self, timeout: float = 0) -> None:
        pass

    def is_alive(self) -> bool:
        return False


def parse_size(text: str) -> tuple[int, int]:
    """``1400x900`` → (1400, 900)."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise DomainError(f"'{text}' is not a size; use WIDTHxHEIGHT, for example 1400x900.")
    w, h = int(width), int(height)
    if not (200 <= w <= 8000 and 150 <= h <= 8000):
        raise DomainError("A screenshot must be between 200x150 and 8000x8000 pixels.")
    return w, h


def take_screenshot(
    data_dir: Path,
    out: Path,
    incident: str | None = None,
    panel: str = "window",
    size: tuple[int, int] = (1400, 900),
    theme: str = "light",
    timeout_s: float = 30.0,
) -> Path:
    """Render ``panel`` of the app on ``data_dir`` to ``out``; returns the file written.

    Raises:
        DomainError: an unknown panel or incident, an unwritable file, or data that did not
            load in time.
    """
    if panel not in PANELS:
        raise DomainError(f"'{panel}' is not a panel; use one of {', '.join(PANELS)}.")
    if not out.parent.is_dir():
        raise DomainError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from incidentdesk.ui.shell.app import ensure_app
    from incidentdesk.ui.shell.theme import apply_theme

    app = ensure_app()
    apply_theme(app, theme)
    window = _loaded_window(app, data_dir, incident, size, timeout_s)
    try:
        target = _panel(app, window, panel, size)
        if target is None:
            raise DomainError("There is no incident to show in that panel.")
        for _ in range(20):
            app.processEvents()
            time.sleep(0.005)
        image = target.grab()
    finally:
        window.client.stop()
    window.close()
    if not image.save(str(out)):
        raise DomainError(f"Cannot write {out}.")
    return out


def _loaded_window(
    app: Any, data_dir: Path, incident: str | None, size: tuple[int, int], timeout_s: float
) -> MainWindow:
    """The window on ``data_dir``, shown, with its data (and ``incident``) loaded."""
    from incidentdesk.ui.shell.app import build_window

    errors: list[BaseException] = []
    window = build_window(
        data_dir,
        None,
        lambda _w, error: errors.append(error),
        courier_service=cast(Any, _NoCourier),
    )
    window.resize(*size)
    window.show()
    loaded: list[str] = []
    window.command_view.loaded.connect(loaded.append)
    if incident is not None:
        window.open_first(incident)
        window.client.call(
            lambda d: d.incidents.resolve(incident),
            window.open_first,
            errors.append,
        )

    def ready() -> bool:
        if errors or window.client.worker.pending or not window.rows_loaded:
            return bool(errors)
        wanted = window.command_view.incident_id
        return wanted is None or wanted in loaded

    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            window.client.stop()
            raise DomainError("The data did not load in time for the screenshot.")
        app.processEvents()
        time.sleep(0.005)
    if errors:
        window.client.stop()
        raise DomainError(str(errors[0]))
    for _ in range(3):
        app.processEvents()
    return window


def _panel(app: Any, window: MainWindow, panel: str, size: tuple[int, int]) -> QWidget | None:
    """The widget to render (a dialog opened for it, for ``declare`` and ``update``)."""
    from PySide6.QtWidgets import QDialog

    from incidentdesk.ui.shell.main_window import CATALOG, COMMAND, LIBRARY, METRICS

    # The view the panel lives in (the window: the command view), whatever view the profile's
    # window was left on.
    wanted = {"library": LIBRARY, "metrics": METRICS, "catalog": CATALOG}.get(panel, COMMAND)
    if window.views.currentIndex() != wanted:
        window.show_view(wanted)
        _settle(app, window)
    target: QWidget | None = panel_widgets(window).get(panel)
    if panel == "postmortem":
        from incidentdesk.ui.postmortem.screenshot import render_postmortem_for_screenshot

        if window.command_view.incident_id is None:
            return None
        target = render_postmortem_for_screenshot(
            window.client, window.command_view.incident_id, size
        )
    elif panel == "declare":
        target = window.open_declare_dialog()
    elif panel == "update":
        window.command_view.open_update_composer()
        dialogs = window.findChildren(QDialog)
        target = dialogs[-1] if dialogs else None
    return target


def _settle(app: Any, window: Any, timeout_s: float = 10.0) -> None:
    """Let a panel that just became visible fetch and draw its data."""
    deadline = time.monotonic() + timeout_s
    for _ in range(5):
        app.processEvents()
    while window.client.worker.pending and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    for _ in range(5):
        app.processEvents()


def panel_widgets(window: MainWindow) -> dict[str, QWidget]:
    """The named panels (for screenshots and tests)."""
    view = window.command_view
    return {
        "window": window,
        "incidents": window.incident_list,
        "command": view,
        "header": view.header,
        "roles": view.role_board,
        "escalation": view.escalation,
        "timeline": view.timeline,
        "quick-entry": view.quick_entry,
        "library": window.library,
        "review": window.library.review,
        "metrics": window.metrics,
        "catalog": window.catalog,
    }
