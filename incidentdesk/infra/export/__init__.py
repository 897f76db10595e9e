"""Post-mortem documents as Markdown, HTML and PDF.

``export(doc, fmt, path)`` writes one of them atomically (a temporary file in the same folder,
then ``os.replace``): the file is either the finished document or untouched. The renderers
live in ``markdown`` (CommonMark), ``html`` (self-contained, printable) and ``pdf`` (Qt's
QTextDocument and QPdfWriter; Qt is imported only when a PDF is asked for).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incidentdesk.core.errors import DomainError

if TYPE_CHECKING:
    from incidentdesk.core.postmortem.document import PostmortemDocument

FORMATS = ("md", "html", "pdf")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def export(doc: PostmortemDocument, fmt: str, path: Path) -> None:
    """Write ``doc`` to ``path`` as ``fmt`` (``md``, ``html`` or ``pdf``).

    Raises:
        DomainError: an unknown format, a missing folder or a file that cannot be written;
            nothing is left behind.
    """
    if fmt not in FORMATS:
        raise DomainError(f"'{fmt}' is not an export format; use one of {', '.join(FORMATS)}.")
    from incidentdesk.core.postmortem.document import revealed

    doc = revealed(doc)  # hidden characters shown as markers in every format
    if fmt == "pdf":
        from incidentdesk.infra.export.pdf import to_pdf

        to_pdf(doc, path)
        return
    if fmt == "md":
        from incidentdesk.infra.export.markdown import to_markdown

        text = to_markdown(doc)
    else:
        from incidentdesk.infra.export.html import to_html

        text = to_html(doc)
    # newline="" keeps "\n" on every platform: the same document gives the same bytes.
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def format_for(path: Path) -> str | None:
    """The export format a file name asks for (``report.pdf`` → ``pdf``), or None."""
    return SUFFIXES.get(path.suffix.lower())


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


def utc_text(moment: datetime) -> str:
    """``2026-03-10 14:05:12 UTC``-style text, to the second (a naive time is taken as UTC)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S")


def review_text(doc: PostmortemDocument) -> str:
    """The review state with its revision: ``approved (revision 2)``."""
    return f"{doc.review_state} (revision {doc.revision})"


def names(people: tuple[str, ...]) -> str:
    """People as one line: ``Alice, Bob``; ``-`` for nobody."""
    return ", ".join(people) if people else "-"


def metadata(doc: PostmortemDocument) -> list[tuple[str, str]]:
    """The header facts every format shows, in order, as (label, plain text)."""
    rows = [
        ("Incident", doc.incident_id),
        ("Severity", doc.severity),
        ("Status", doc.status),
        ("Review", review_text(doc)),
        ("Reviewers", names(doc.reviewers)),
        ("Approved by", names(doc.approved_by)),
        ("Services", names(doc.services)),
        *((("Customer impact", doc.impact),) if doc.impact else ()),
        *((("Bridge", doc.bridge),) if doc.bridge else ()),
        ("Started (UTC)", utc_text(doc.started_at) if doc.started_at else "-"),
        ("Resolved (UTC)", utc_text(doc.resolved_at) if doc.resolved_at else "not resolved"),
    ]
    rows.extend(doc.durations)
    rows.append(("Template", doc.template or "-"))
    return rows


TIMELINE_HEADERS = ("Time (UTC)", "Kind", "Who", "What")
ACTION_HEADERS = ("#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker")
