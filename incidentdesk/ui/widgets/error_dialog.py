"""Unexpected errors: logged, shown with copyable details, and the app carries on.

:class:`ErrorReporter` takes over ``sys.excepthook`` (the GUI thread, and every exception
raised in a Python slot Qt called) and ``threading.excepthook`` (background threads). Each
error is written to the log at once, with its traceback, then shown in one
:class:`ErrorDialog` — a second error adds to the open dialog instead of stacking another on
top. The dialog is not modal and touches nothing else: what is typed in the quick entry or
an open dialog stays where it is.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk import __version__
from incidentdesk.app.profile import redact
from incidentdesk.ui.widgets.diagnostics import UrlOpener, open_log_folder

log = logging.getLogger("incidentdesk.crash")
MAX_SHOWN = 20  # errors beyond this are counted and logged, not added to the dialog's text

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def describe(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The traceback as text, with secrets masked."""
    return redact("".join(traceback.format_exception(exc_type, exc, tb)))


class ErrorDialog(QDialog):
    """Says that something unexpected happened and the app carried on; details to copy.

    Args:
        log_file: the log file (named in the text; its folder opens from a button).
        opener: opens a folder (``QDesktopServices.openUrl``; tests pass their own).
        parent: the main window.
    """

    def __init__(
        self,
        log_file: Path | None,
        opener: UrlOpener = QDesktopServices.openUrl,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.setModal(False)
        self.setMinimumWidth(640)
        self._log_file = log_file
        self._opener = opener
        self.count = 0

        self.heading = QLabel()
        self.heading.setObjectName("ErrorHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        where = f" The details are also in the log ({log_file})." if log_file else ""
        self.explanation = QLabel(
            "IncidentDesk ran into something it did not expect and carried on. Nothing you "
            "typed is lost, and everything already saved stays saved. If it happens again, "
            f"send the details below to whoever looks after IncidentDesk.{where}"
        )
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(220)

        self.copy_button = QPushButton("&Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open &log folder")
        self.folder_button.setEnabled(log_file is not None)
        self.folder_button.clicked.connect(self._open_folder)
        self.status = QLabel()
        self.status.setProperty("muted", True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.status, 1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.details, 1)
        layout.addLayout(row)
        self.resize(760, 420)

    def add_error(self, summary: str, details: str) -> None:
        """Show one more error (the newest summary on top, every traceback below)."""
        self.count += 1
        more = f" ({self.count} errors since this window opened)" if self.count > 1 else ""
        self.heading.setText(f"{summary}{more}")
        if self.count <= MAX_SHOWN:
            stamp = datetime.now().astimezone().isoformat(timespec="seconds")
            block = f"IncidentDesk {__version__}, {stamp}\n{details.rstrip()}\n"
            if self.count > 1:
                block = "\n" + "-" * 60 + "\n" + block
            self.details.appendPlainText(block)
        elif self.count == MAX_SHOWN + 1:
            self.details.appendPlainText("\n(Further errors are in the log only.)")

    def copy_details(self) -> None:
        """Put the details on the clipboard."""
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.status.setText("Copied.")

    def _open_folder(self) -> None:
        self.status.setText(open_log_folder(self._log_file, self._opener))


class ErrorReporter(QObject):
    """Logs unexpected exceptions and shows them; the app keeps running.

    Args:
        window: the dialog's parent (the main window), or None.
        log_file: the log file, for the dialog.
        opener: opens the log folder.

    Signals:
        shown(object): the error dialog is showing a new error (for tests).
    """

    shown = Signal(object)
    _report = Signal(str, str)

    def __init__(
        self,
        window: QWidget | None,
        log_file: Path | None,
        opener: UrlOpener = QDesktopServices.openUrl,
    ) -> None:
        super().__init__()
        self._window = window
        self._log_file = log_file
        self._opener = opener
        self.dialog: ErrorDialog | None = None
        self._previous_hook: Callable[[type[BaseException], BaseException, Any], Any] | None
        self._previous_thread_hook: Callable[[threading.ExceptHookArgs], Any] | None
        self._previous_hook = self._previous_thread_hook = None
        # Always queued: the dialog opens from the event loop, never in the middle of the
        # paint event or slot that failed, and from whichever thread the error came.
        self._report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def set_window(self, window: QWidget | None) -> None:
        """The dialog's parent from now on (the main window, once it opened)."""
        self._window = window

    def install(self) -> None:
        """Take over ``sys.excepthook`` and ``threading.excepthook``."""
        if self._previous_hook is None:
            self._previous_hook = sys.excepthook
            self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        """Give the hooks back."""
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook
            self._previous_thread_hook = None

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Log the error and ask for the dialog (any thread)."""
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            log.error("unexpected error", exc_info=(exc_type, exc, tb))
            summary = redact("".join(traceback.format_exception_only(exc_type, exc)).strip())
            self._report.emit(summary, describe(exc_type, exc, tb))
        except Exception:  # never let the reporter itself take the app down
            sys.__excepthook__(exc_type, exc, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, summary: str, details: str) -> None:
        window = self._window
        parent = window if window is not None and shiboken6.isValid(window) else None
        if self.dialog is None or not shiboken6.isValid(self.dialog):
            self.dialog = ErrorDialog(self._log_file, self._opener, parent)
        self.dialog.add_error(summary, details)
        if not self.dialog.isVisible():
            self.dialog.show()
        self.shown.emit(self.dialog)
