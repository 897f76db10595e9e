"""A post-mortem as an A4 PDF: Qt's QTextDocument laid out on a QPdfWriter.

The page is :func:`incidentdesk.infra.export.html.to_qt_html` (the HTML export in the subset
QTextDocument reads), paginated by the document layout, with "page N of M" at the foot of
each page. Works in a command-line process (a ``QGuiApplication`` is made when there is
none, offscreen when there is no display) and on a worker thread of a running app (text
layout and painting on a QPdfWriter are allowed off the GUI thread).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.document import PostmortemDocument
from incidentdesk.infra.export.atomic import atomic_path
from incidentdesk.infra.export.html import to_qt_html

RESOLUTION_DPI = 300
MARGINS_MM = (18.0, 16.0, 16.0, 16.0)  # left, top, right, bottom (the page number sits below)
FOOTER_MM = 8.0
_app: Any = None  # the QGuiApplication this module made, kept alive for the process


def to_pdf(doc: PostmortemDocument, path: Path) -> None:
    """Write ``doc`` to ``path`` as a PDF (A4), replacing the file only once it is complete.

    Raises:
        DomainError: the folder is missing or the file cannot be written.
    """
    _ensure_gui_application()
    with atomic_path(path) as tmp:
        _write(doc, tmp)


def _ensure_gui_application() -> None:
    """Fonts need a QGuiApplication: reuse the app's, or make one (main thread only)."""
    global _app
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    existing = QCoreApplication.instance()
    if isinstance(existing, QGuiApplication):
        return
    if existing is not None:
        raise RuntimeError("to_pdf needs a QGuiApplication; this process has a QCoreApplication.")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("to_pdf off the main thread needs a QGuiApplication made beforehand.")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a user's choice is kept
    _app = QGuiApplication(sys.argv[:1])


def _write(doc: PostmortemDocument, path: Path) -> None:
    writer = _pdf_writer(doc, path)
    text = _layout(doc, writer)
    _paint(doc, writer, text, path)


def _pdf_writer(doc: PostmortemDocument, path: Path) -> Any:
    """An A4 portrait QPdfWriter on ``path``, with room for the page number at the foot."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION_DPI)
    left, top, right, bottom = MARGINS_MM
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(left, top, right, bottom + FOOTER_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"Post-mortem: {doc.title}")
    writer.setCreator(doc.generated_by)
    return writer


def _layout(doc: PostmortemDocument, writer: Any) -> Any:
    """The document as a QTextDocument laid out in pages of ``writer``'s size."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QTextDocument

    text = QTextDocument()
    text.setUndoRedoEnabled(False)
    text.setDefaultFont(_font(10))
    text.documentLayout().setPaintDevice(writer)
    text.setHtml(to_qt_html(doc))
    text.setPageSize(QSizeF(float(writer.width()), float(writer.height())))
    root = text.rootFrame().frameFormat()
    root.setMargin(0)
    text.rootFrame().setFrameFormat(root)
    return text


def _font(points: float) -> Any:
    """The PDF's font at ``points``: DejaVu Sans (any sans serif), no ligatures."""
    from PySide6.QtGui import QFont

    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(points)
    # No "fl"/"fi" ligatures: text copied or searched in the PDF reads as typed.
    font.setFeature(QFont.Tag("liga"), 0)
    return font


def _paint(doc: PostmortemDocument, writer: Any, text: Any, path: Path) -> None:
    """Each page of ``text`` on ``writer``, with "page N of M" at its foot."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QPainter

    pages = text.pageCount()
    width, height = float(writer.width()), float(writer.height())
    footer_font = _font(8)
    footer_gap = FOOTER_MM / 25.4 * RESOLUTION_DPI
    painter = QPainter()
    if not painter.begin(writer):
        raise DomainError(f"Cannot write {path}: the PDF could not be started.")
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(QPointF(0, -page * height))
            # Just short of the next page: a line starting exactly there is drawn there only.
            text.drawContents(painter, QRectF(0, page * height, width, height - 1))
            painter.restore()
            painter.setFont(footer_font)
            painter.drawText(
                QRectF(0, height, width, footer_gap),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                f"{doc.title[:80]} · page {page + 1} of {pages}",
            )
    finally:
        painter.end()
