"""Reading files a person or a peer hands us, with a bound: the only way the app reads them.

A catalog, a template, a rules file, a lint input or an archive is named by someone else,
and may not be what its name says: a FIFO (the read waits forever), ``/dev/zero`` or a
symlink to it (the read never ends), a folder, or a file far larger than any real one.
So a file is opened without blocking (``O_NONBLOCK``: opening a FIFO with no writer returns
at once), the *opened* descriptor is checked with ``fstat`` (no race between a check and the
open; a symlink is judged by what it points to), anything that is not a regular file is
refused in one sentence, and at most ``limit + 1`` bytes are ever read.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from incidentdesk.core.errors import UserError

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
# An archive is streamed line by line: a whole journal may be large, one event is not.
ARCHIVE_LIMIT = 4 * GIB
ARCHIVE_LINE_LIMIT = 16 * MIB

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(UserError):
    """A file is not a regular file, or is larger than its limit; the message says which."""


def size_text(limit: int) -> str:
    """``1 MiB``, ``256 KiB`` or ``100 bytes``."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if limit >= unit and limit % unit == 0:
            return f"{limit // unit} {name}"
    return f"{limit:,} bytes"


def open_regular(path: Path, what: str) -> BinaryIO:
    """``path`` opened for reading in binary, refused unless it is a regular file.

    Raises:
        FileRefused: a folder, FIFO, device or socket (or a symlink to one).
        OSError: it does not exist or cannot be opened (the caller words it).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise FileRefused(_not_regular(Path(path), what, kind))
        # Reads of a regular file never block; back to ordinary reads all the same.
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (never more is read).

    Args:
        path: the file.
        limit: the most bytes a real file of this kind holds.
        what: what the file is, for the message (``catalog``, ``template``, …).

    Raises:
        FileRefused: not a regular file, or larger than ``limit``.
        OSError: missing or unreadable (the caller words it).
    """
    with open_regular(path, what) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(_too_large(Path(path), what, limit))
    return data


def read_bounded_text(path: Path, limit: int, what: str) -> str:
    """:func:`read_bounded`, decoded as UTF-8 (a byte-order mark dropped).

    Raises:
        FileRefused: not a regular file, larger than ``limit``, or not UTF-8 text.
        OSError: missing or unreadable.
    """
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"The {what} {path} is not UTF-8 text (byte {exc.start:,} cannot be read)."
        ) from None


class BoundedLines:
    """The lines of a regular file, streamed: each at most ``line_limit`` bytes, all together
    at most ``limit``. Use as a context manager; iterating yields each line's bytes (with
    its ``\\n``). Going over a bound, or a file that is not a regular file, raises ``error``
    (:class:`FileRefused` unless the caller has its own) with a sentence naming it."""

    def __init__(
        self,
        path: Path,
        what: str,
        limit: int,
        line_limit: int,
        error: type[Exception] = FileRefused,
    ) -> None:
        self.path = Path(path)
        self.what = what
        self.limit = limit
        self.line_limit = line_limit
        self.error = error
        try:
            self._handle = open_regular(self.path, what)
        except FileRefused as exc:
            raise error(str(exc)) from None

    def __enter__(self) -> BoundedLines:
        return self

    def close(self) -> None:
        """Close the file (as leaving the ``with`` block does)."""
        self._handle.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        number = 0
        while True:
            line = self._handle.readline(self.line_limit + 1)
            if not line:
                return
            number += 1
            if len(line) > self.line_limit:
                raise self.error(
                    f"Line {number:,} of the {self.what} {self.path} is longer than "
                    f"{size_text(self.line_limit)}; no real entry is that long."
                )
            total += len(line)
            if total > self.limit:
                raise self.error(_too_large(self.path, self.what, self.limit))
            yield line


def _not_regular(path: Path, what: str, kind: str) -> str:
    target = ""
    if path.is_symlink():
        target = f" (it links to {os.path.realpath(path)})"
    return f"The {what} {path} is {kind}{target}, not a regular file; name the file itself."


def _too_large(path: Path, what: str, limit: int) -> str:
    return (
        f"The {what} {path} is larger than {size_text(limit)}; a real one is far smaller: "
        "is it the right file?"
    )
