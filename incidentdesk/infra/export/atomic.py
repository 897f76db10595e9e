"""Writing a file atomically: the finished document, or nothing at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from incidentdesk.core.errors import DomainError


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` to write; moved onto ``path`` when the block ends
    without an exception, deleted otherwise.

    Raises:
        DomainError: the folder is missing, ``path`` is a folder, or the folder is not
            writable.
    """
    folder = path.parent
    if not folder.is_dir():
        raise DomainError(f"Cannot write {path}: the folder {folder} does not exist.")
    if path.is_dir():
        raise DomainError(f"Cannot write {path}: it is a folder; name a file.")
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DomainError(f"Cannot write in {folder}: {_reason(exc)}.") from None
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
        sync_folder(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DomainError(f"Cannot write {path}: {_reason(exc)}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a platform without folder handles skips it. The file
    is written by then: a folder that cannot be synced (some network file systems) is not an
    error to report."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        return


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
