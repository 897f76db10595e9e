"""Post-mortem documents as Markdown, HTML and PDF.

``export(doc, fmt, path)`` writes one of them atomically (a temporary file in the same folder,
then ``os.replace``): the file is either the finished document or untouched. The renderers
live in ``markdown`` (CommonMark), ``html`` (self-contained, printable) and ``pdf`` (Qt's
QTextDocument and QPdfWriter; Qt is imported only when a PDF is asked for).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from incidentdesk.core.errors import DomainError
from incidentdesk.infra.export.atomic import atomic_path, sync_folder

if TYPE_CHECKING:
    from incidentdesk.core.postmortem.document import PostmortemDocument

__all__ = ["FORMATS", "SUFFIXES", "atomic_path", "export", "format_for", "sync_folder"]

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
