"""Help → Copy diagnostics and Open log folder, and the side worker that reads the keyring.

Diagnostics say what a bug report needs — versions, platform, the profile's folders, the sync
state, the keyring backend — and never a secret: no secret is read to write them, and the
text goes through the log's redaction as well (the shared database's URL never holds a
password, but a hand-edited ``config.toml`` might).
"""

from __future__ import annotations

import logging
import platform
import sqlite3
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import PySide6
import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import QGuiApplication

from incidentdesk import __version__
from incidentdesk.app.profile import keyring_status, redact

T = TypeVar("T")
log = logging.getLogger(__name__)
UrlOpener = Callable[[QUrl], bool]


class SideWorker(QObject):
    """Runs small steps (keyring, config file) one at a time on a thread of their own.

    Apart from the store worker on purpose: a keyring waiting for an unlock prompt must not
    hold up the timeline. Results come back to the GUI thread; a result for an owner that is
    gone (a closed dialog) is dropped. Unparented: Python owns it, and a pending step holds it.
    """

    _finished = Signal(object)

    def __init__(self, owner: QObject) -> None:
        super().__init__()
        self._owner = owner
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incidentdesk-side")
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        step: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``step()`` in the background, then ``on_done(result)`` (or ``on_error``) on
        the GUI thread."""
        future = self._pool.submit(step)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Any], None], Any]) -> None:
        future, on_done, on_error = item
        if future.cancelled() or not shiboken6.isValid(self._owner):
            return
        error = future.exception()
        if error is None:
            on_done(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            raise error  # a bug: the error dialog shows it and the log keeps it

    def shutdown(self) -> None:
        """Take no more steps; one still running finishes on its own."""
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Situation:
    """What the window knows about itself (read on the GUI thread: no I/O)."""

    profile: str
    data_dir: Path | None
    log_file: Path | None
    sync_state: str
    shared_url: str | None
    qt_platform: str


def _version(distribution: str) -> str:
    from importlib import metadata  # slow to import: only when diagnostics are asked for

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def diagnostics_text(situation: Situation) -> str:
    """The diagnostics, one fact per line (reads package metadata and the keyring's kind:
    call it off the GUI thread)."""
    now = datetime.now().astimezone()
    frozen = " (frozen build)" if getattr(sys, "frozen", False) else ""
    facts = [
        ("IncidentDesk", f"{__version__}{frozen}"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", f"{qVersion()} (platform plugin: {situation.qt_platform})"),
        ("PySide6", PySide6.__version__),
        ("SQLite", sqlite3.sqlite_version),
        ("SQLAlchemy", _version("SQLAlchemy")),
        ("Alembic", _version("alembic")),
        ("psycopg", _version("psycopg")),
        ("keyring", _version("keyring")),
        ("Platform", platform.platform()),
        ("Time zone", f"{now.tzname()} (UTC{now.strftime('%z')})"),
        ("Profile", situation.profile),
        ("Data folder", str(situation.data_dir) if situation.data_dir else "unknown"),
        ("Log file", str(situation.log_file) if situation.log_file else "not set up"),
        ("Sync", situation.sync_state),
        ("Shared database", situation.shared_url or "none (this computer only)"),
        ("Keyring", keyring_status().description),
    ]
    width = max(len(name) for name, _value in facts)
    return redact("\n".join(f"{name + ':':<{width + 1}} {value}" for name, value in facts))


def copy_diagnostics(
    worker: SideWorker,
    situation: Situation,
    on_done: Callable[[str], None] | None = None,
) -> None:
    """Put the diagnostics on the clipboard (gathered in the background); ``on_done`` gets
    the text once it is there."""

    def copied(text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        log.info("diagnostics copied to the clipboard")
        if on_done is not None:
            on_done(text)

    worker.run(lambda: diagnostics_text(situation), copied)


def open_log_folder(log_file: Path | None, opener: UrlOpener) -> str:
    """Ask the desktop to show the log folder; returns a message for the status bar."""
    if log_file is None:
        return "This window has no log file."
    folder = log_file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)  # made with the first line; may be empty yet
    except OSError as exc:
        return f"Cannot create the log folder {folder}: {exc.strerror}."
    if not opener(QUrl.fromLocalFile(str(folder))):
        return f"No program to show folders; the log is in {folder}."
    return f"Opened {folder}."
