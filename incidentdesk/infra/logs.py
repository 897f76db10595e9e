"""The log file: rotating, in the platform's log folder, and never with a secret in it.

Where: ``<base>/logs`` when the user chose the data folder (``--data-dir`` or
``INCIDENTDESK_HOME``: a portable or test install keeps everything together), else the
platform's per-user log folder (``platformdirs.user_log_dir``). The app writes
``incidentdesk.log`` (``incidentdesk-<profile>.log`` for a named profile, so two windows on two
profiles never rotate the same file); command-line runs write ``cli.log``. Each file rotates
at 1 MB and keeps 5 old ones.

No secrets, two ways, both applied to the finished line (message, arguments and traceback
alike, whichever library wrote it):

- **Known values.** Code that reads or stores a secret calls :func:`redact_value` with it;
  every value of an ``INCIDENTDESK_SECRET_*`` variable is registered at :func:`setup`. Any
  occurrence of a registered value becomes ``[secret]``.
- **Known shapes**, for a secret nobody registered (a library echoing its connection
  string): the password in ``scheme://user:password@host``, ``password=…``-style pairs, HTTP
  ``Authorization`` values, and Slack/Teams webhook paths.

This module imports nothing from the app, so any layer (``secrets.py`` included) may register
values with it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import threading
from io import TextIOWrapper
from pathlib import Path

import platformdirs

MAX_BYTES = 1_000_000
BACKUPS = 5
MASK = "[secret]"
SHORTEST_SUBSTRING = 4  # shorter registered values are masked only as whole words
ENV_SECRET_PREFIX = "INCIDENTDESK_SECRET_"
ENV_LEVEL = "INCIDENTDESK_LOG_LEVEL"  # DEBUG when troubleshooting
FORMAT = "%(asctime)s %(levelname)-7s [{where}] %(threadName)s %(name)s: %(message)s"

_values: set[str] = set()
_lock = threading.Lock()
_value_pattern: re.Pattern[str] | None = None
_handler: logging.Handler | None = None
_log_file: Path | None = None

# Shapes of secrets nobody registered. Each keeps its label and masks the value.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host (a DSN or URL with a password)
    (re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(?=@)", re.I), MASK),
    # password=…, pwd: …, "token": "…", api_key=… (libpq keyword strings, JSON, headers)
    (
        re.compile(
            r"""(?P<keep>\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key)"""
            r"""["']?\s*[:=]\s*["']?)[^\s"',;&]+""",
            re.I,
        ),
        MASK,
    ),
    # Authorization: Bearer …
    (re.compile(r"(?P<keep>\bauthorization\b[\"']?\s*[:=]\s*[\"']?\w+\s+)\S+", re.I), MASK),
    # Incoming-webhook URLs are the secret themselves.
    (re.compile(r"(?P<keep>hooks\.slack\.com/services/)\S+", re.I), MASK),
    (re.compile(r"(?P<keep>\.webhook\.office\.com/)\S+", re.I), MASK),
    (re.compile(r"(?P<keep>\.logic\.azure\.com[:/]\S*?[?&]sig=)[^\s&]+", re.I), MASK),
)


def redact_value(value: str | None) -> None:
    """Never log ``value`` (a secret this process read or stored) from now on."""
    if not value or not value.strip():
        return
    global _value_pattern
    with _lock:
        if value in _values:
            return
        _values.add(value)
        _value_pattern = None


def redact(text: str) -> str:
    """``text`` with every registered secret value and every secret-shaped part masked."""
    pattern = _registered_pattern()
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for shape, mask in _SHAPES:
        text = shape.sub(rf"\g<keep>{mask}", text)
    return text


def _registered_pattern() -> re.Pattern[str] | None:
    global _value_pattern
    with _lock:
        if _value_pattern is None and _values:
            # Longest first, so a secret containing another one is masked whole.
            parts = []
            for value in sorted(_values, key=len, reverse=True):
                escaped = re.escape(value)
                parts.append(escaped if len(value) >= SHORTEST_SUBSTRING else rf"\b{escaped}\b")
            _value_pattern = re.compile("|".join(parts))
        return _value_pattern


def log_dir(chosen_base: Path | None = None) -> Path:
    """The log folder: ``<base>/logs`` for a data folder the user chose, else the
    platform's (on Linux ``~/.local/state/incidentdesk/log``)."""
    if chosen_base is not None:
        return chosen_base / "logs"
    return Path(platformdirs.user_log_dir("incidentdesk", appauthor=False))


def log_file_name(kind: str, profile: str = "default") -> str:
    """``cli.log`` for command-line runs; ``incidentdesk[-PROFILE].log`` for the app."""
    if kind == "cli":
        return "cli.log"
    return "incidentdesk.log" if profile == "default" else f"incidentdesk-{profile}.log"


class RedactingFormatter(logging.Formatter):
    """Formats a record, then masks secrets in the whole line (the traceback included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _RotatingLog(logging.handlers.RotatingFileHandler):
    """Creates its folder on the first line written, and carries on when rotation fails
    (on Windows another IncidentDesk process may hold the file open)."""

    def _open(self) -> TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None or self.stream.closed:
                self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        # A log that cannot be written must never disturb the commander (no stderr noise).
        pass


def setup(
    kind: str,
    profile: str = "default",
    chosen_base: Path | None = None,
    level: int | None = None,
) -> Path:
    """Send IncidentDesk's log lines to the rotating file; returns the file's path.

    Calling it again replaces the previous file handler (one per process). The folder is
    created with the first line written, so a command that logs nothing leaves no trace.
    Other libraries' lines (SQLAlchemy, psycopg) go in only from WARNING up.

    Args:
        kind: ``app`` or ``cli``.
        profile: the profile name, written on every line.
        chosen_base: the data folder the user chose, if any (see :func:`log_dir`).
        level: IncidentDesk's level; default INFO, or ``$INCIDENTDESK_LOG_LEVEL``.
    """
    global _handler, _log_file
    for name, value in os.environ.items():
        if name.startswith(ENV_SECRET_PREFIX):
            redact_value(value)
    path = log_dir(chosen_base) / log_file_name(kind, profile)
    handler = _RotatingLog(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, delay=True)
    handler.setFormatter(RedactingFormatter(FORMAT.format(where=f"{kind} {profile}")))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    _handler, _log_file = handler, path
    chosen_level = level if level is not None else _level_from_env()
    logging.getLogger("incidentdesk").setLevel(chosen_level)
    return path


def _level_from_env() -> int:
    name = os.environ.get(ENV_LEVEL, "").strip().upper()
    value = logging.getLevelName(name) if name else logging.INFO
    return value if isinstance(value, int) else logging.INFO


def current_log_file() -> Path | None:
    """The file :func:`setup` chose (None before it ran)."""
    return _log_file


def shutdown() -> None:
    """Detach and close the log file (tests; the interpreter does this itself at exit)."""
    global _handler, _log_file
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
    _handler = _log_file = None


def forget_values() -> None:
    """Forget the registered values (tests only: a real process never forgets a secret)."""
    global _value_pattern
    with _lock:
        _values.clear()
        _value_pattern = None
