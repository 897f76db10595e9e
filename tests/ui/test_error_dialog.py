"""Unexpected errors: a dialog with the traceback, a log entry, and the app carries on with
what was typed still there. No secret reaches the log or the dialog."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.infra import logs
from incidentdesk.infra.config import ProfileLocation, shared_secret_name
from incidentdesk.ui.command.timeline_model import TEXT
from incidentdesk.ui.settings.dialog import SettingsDialog
from incidentdesk.ui.shell.app import build_window
from incidentdesk.ui.shell.main_window import MainWindow
from incidentdesk.ui.widgets.error_dialog import ErrorDialog, ErrorReporter

# Exceptions raised in slots must reach the app's own hook, not pytest-qt's.
pytestmark = pytest.mark.qt_no_exception_capture

TYPED = "/decision roll back ledger-service to v2024.11.2"
SECRET = "s3cr3t-Ledger-DB-pw"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup("app", "default", tmp_path / "base")
    yield path
    logs.shutdown()
    logs.forget_values()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, log_file: Path) -> Iterator[MainWindow]:
    desk = Desk.open(data_dir, "Seeder")
    desk.incidents.declare("Checkout errors", "SEV2")
    desk.close()
    opened = build_window(data_dir, "Alice", location=ProfileLocation(data_dir), log_file=log_file)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitUntil(lambda: opened.command_view.state is not None, timeout=10_000)
    yield opened
    opened.client.stop()


@pytest.fixture
def reporter(window: MainWindow, log_file: Path) -> Iterator[ErrorReporter]:
    opened: list[QUrl] = []
    made = ErrorReporter(window, log_file, lambda url: opened.append(url) or True)
    made.opened = opened  # type: ignore[attr-defined]
    made.install()
    yield made
    made.uninstall()
    if made.dialog is not None:
        made.dialog.close()


def log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def raise_in_a_slot(message: str) -> None:
    def slot_that_fails() -> None:
        raise RuntimeError(message)

    QTimer.singleShot(0, slot_that_fails)


def test_an_error_in_a_slot_shows_a_dialog_is_logged_and_nothing_typed_is_lost(
    qtbot: QtBot, window: MainWindow, reporter: ErrorReporter, log_file: Path
) -> None:
    entry = window.command_view.quick_entry.line_edit
    window.focus_quick_entry()
    qtbot.keyClicks(entry, TYPED)
    with qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        raise_in_a_slot("the role board lost its model")
    dialog = shown.args[0]
    assert isinstance(dialog, ErrorDialog) and dialog.isVisible()
    assert not dialog.isModal(), "the window stays usable"
    assert dialog.heading.text() == "RuntimeError: the role board lost its model"
    details = dialog.details.toPlainText()
    assert "Traceback (most recent call last)" in details
    assert "slot_that_fails" in details
    assert str(log_file) in dialog.explanation.text()

    text = log_text(log_file)
    assert "ERROR" in text and "unexpected error" in text
    assert "RuntimeError: the role board lost its model" in text and "slot_that_fails" in text

    assert entry.text() == TYPED, "the quick entry keeps its text"
    assert window.isVisible()
    # The app carries on: the typed decision still saves and shows in the timeline.
    incident = window.command_view.incident_id
    with qtbot.waitSignal(window.command_view.quick_entry.submitted, timeout=5000):
        window.command_view.quick_entry.submit()
    proxy = window.command_view.timeline.proxy
    qtbot.waitUntil(
        lambda: any(
            "roll back ledger-service" in str(proxy.index(r, TEXT).data())
            for r in range(proxy.rowCount())
        ),
        timeout=5000,
    )
    assert window.command_view.incident_id == incident


def test_a_second_error_joins_the_open_dialog(
    qtbot: QtBot, reporter: ErrorReporter, log_file: Path
) -> None:
    with qtbot.waitSignal(reporter.shown, timeout=5000):
        raise_in_a_slot("first")
    with qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        raise_in_a_slot("second")
    dialog = shown.args[0]
    assert dialog is reporter.dialog and dialog.count == 2
    assert "second" in dialog.heading.text() and "2 errors" in dialog.heading.text()
    details = dialog.details.toPlainText()
    assert "RuntimeError: first" in details and "RuntimeError: second" in details


def test_an_error_in_a_background_thread_is_shown_too(
    qtbot: QtBot, reporter: ErrorReporter, log_file: Path
) -> None:
    def fails() -> None:
        raise ValueError("sync thread tripped")

    with qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        thread = threading.Thread(target=fails, name="incidentdesk-test")
        thread.start()
        thread.join()
    assert "ValueError: sync thread tripped" in shown.args[0].details.toPlainText()
    assert "incidentdesk-test" in log_text(log_file)


def test_copy_details_and_open_the_log_folder(
    qtbot: QtBot, reporter: ErrorReporter, log_file: Path
) -> None:
    with qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        raise_in_a_slot("copy me")
    dialog = shown.args[0]
    dialog.copy_button.click()
    assert "RuntimeError: copy me" in QGuiApplication.clipboard().text()
    dialog.folder_button.click()
    assert reporter.opened == [QUrl.fromLocalFile(str(log_file.parent))]  # type: ignore[attr-defined]


def test_no_secret_reaches_the_log_or_the_dialog(
    qtbot: QtBot, window: MainWindow, reporter: ErrorReporter, log_file: Path, data_dir: Path
) -> None:
    """A secret stored through Settings, then three of the app's ways to log: an error in a
    slot, a background job that fails, and a module logger."""
    settings = window.open_settings()
    assert isinstance(settings, SettingsDialog)
    qtbot.waitUntil(lambda: settings.facts is not None, timeout=5000)
    row = settings.rows[shared_secret_name(data_dir)]
    row.start_editing()
    qtbot.keyClicks(row.value_edit, SECRET)
    with qtbot.waitSignal(settings.finished_step, timeout=5000):
        row.store_button.click()
    settings.reject()

    with qtbot.waitSignal(reporter.shown, timeout=5000) as shown:
        raise_in_a_slot(f"login failed for password {SECRET}")
    failures: list[BaseException] = []

    def job(_desk: Desk) -> None:
        raise RuntimeError(f"postgresql://app:{SECRET}@db/x refused")

    window.client.call(job, on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    logging.getLogger("incidentdesk.runtime.sync").info("shared database unavailable: %s", SECRET)

    text = log_text(log_file)
    assert "login failed for password" in text and "background job failed" in text
    assert "shared database unavailable: [secret]" in text
    assert SECRET not in text
    assert SECRET not in shown.args[0].details.toPlainText()
    assert SECRET not in shown.args[0].heading.text()
