"""Shared fixtures (a fresh data folder and a Desk on it) and the suite's settings: the
Hypothesis profiles, and under ``CI`` a skip is a failure (tests/suiterules.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings
from pytestqt.qtbot import QtBot

# Qt renders offscreen unless a test run asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from incidentdesk.app.desk import Desk

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

# pytester runs the suite's own rules on small made-up suites (tests/test_suite_rules.py).
pytest_plugins = ["pytester", "suiterules"]

# Hypothesis: "dev" is its defaults (random examples, failures replayed from .hypothesis/).
# "ci" is for a loaded 2-core machine, where a run must not depend on timing or on luck: the
# same examples every run (derandomize, nothing read from or written to a database), no
# per-example deadline, and no "input generation is slow" health check (a timer on the
# machine's load, not on the strategy; the size and filtering checks stay on).
settings.register_profile("dev")
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty profile folder."""
    folder = tmp_path / "profile"
    folder.mkdir()
    return folder


@pytest.fixture
def desk(data_dir: Path) -> Iterator[Desk]:
    """A Desk on a fresh local store, recording as Alice."""
    opened = Desk.open(data_dir, "Alice")
    yield opened
    opened.close()


class MemoryKeyring:
    """An in-memory keyring backend: tests never touch the real system keyring."""

    def __new__(cls) -> object:  # built lazily so importing keyring stays off the fast path
        import keyring.backend

        class _Backend(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.store: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.store.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.store[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                import keyring.errors

                if (service, username) not in self.store:
                    raise keyring.errors.PasswordDeleteError(username)
                del self.store[(service, username)]

        return _Backend()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[dict[tuple[str, str], str]]:
    """Every test runs on an empty in-memory keyring; yields its contents."""
    import keyring

    from incidentdesk.infra import secrets

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)  # type: ignore[arg-type]
    secrets._session.clear()
    yield backend.store  # type: ignore[attr-defined]
    keyring.set_keyring(previous)
    secrets._session.clear()


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never touch the real profile: the default data folder goes to a temporary place.
    monkeypatch.delenv("INCIDENTDESK_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


class SteadyQtBot(QtBot):
    """pytest-qt's ``qtbot``, whose clicks wait until the widget can be clicked.

    A widget shown by a queued call (a row that arrives with a result, a bar that appears)
    gets its final geometry at the next layout pass; a click before that lands outside a
    button of height 0 and is lost, for the test as for nobody else: no person can click what
    is not drawn yet. So a click first waits (up to 5 s) until the widget is visible and at
    least as tall as its minimum size hint, and fails with the widget's name if it never is.
    """

    CLICK_READY_MS = 5000

    def _until_clickable(self, widget: QWidget) -> None:
        def clickable() -> bool:
            hint = widget.minimumSizeHint()
            return (
                widget.isVisible()
                and not widget.size().isEmpty()
                and (not hint.isValid() or widget.height() >= hint.height())
            )

        if clickable():
            return
        try:
            self.waitUntil(clickable, timeout=self.CLICK_READY_MS)
        except TimeoutError:
            name = widget.objectName() or widget.accessibleName() or type(widget).__name__
            raise TimeoutError(
                f"{name!r} was never visible and laid out ({widget.size()}): nothing to click"
            ) from None

    def mouseClick(self, widget: QWidget, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._until_clickable(widget)
        super().mouseClick(widget, *args, **kwargs)

    def mouseDClick(self, widget: QWidget, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._until_clickable(widget)
        super().mouseDClick(widget, *args, **kwargs)

    def mousePress(self, widget: QWidget, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._until_clickable(widget)
        super().mousePress(widget, *args, **kwargs)


@pytest.fixture
def qtbot(qapp: QApplication, request: pytest.FixtureRequest) -> Iterator[SteadyQtBot]:
    """pytest-qt's ``qtbot`` (same widgets, same teardown), with clicks that wait (above).

    What a test did to the whole application (a theme's style sheet and palette, a font) is
    undone after it: the next test's widgets are laid out as in a fresh application, whatever
    ran before (a header test once wrapped its title differently after the settings tests).
    """
    from PySide6.QtGui import QFont, QPalette

    sheet, palette, font = qapp.styleSheet(), QPalette(qapp.palette()), QFont(qapp.font())
    yield SteadyQtBot(request)
    if qapp.styleSheet() != sheet:
        qapp.setStyleSheet(sheet)
    if qapp.palette() != palette:
        qapp.setPalette(palette)
    if qapp.font() != font:
        qapp.setFont(font)
