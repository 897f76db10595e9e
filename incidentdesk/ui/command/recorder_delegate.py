"""The timeline's author cell: the author, then who recorded it where that differs, muted.

A scribe writing for the commander is normal, so the recorder is shown, not hidden, but it is
quieter than the author: "Maya Chen · sam". The model's display text carries the same words
(copied rows and screen readers get them); this delegate only paints the second part muted.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from incidentdesk.core.text import reveal
from incidentdesk.ui.command.timeline_model import AuthorRole, RecorderRole

Index = QModelIndex | QPersistentModelIndex
MUTED_ALPHA = 0.6


class RecorderDelegate(QStyledItemDelegate):
    """Paints ``author · recorder`` with the recorder part muted."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        recorder = index.data(RecorderRole)
        if not recorder:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # background, selection and focus only: the words are painted below
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        rect = rect.adjusted(2, 0, -2, 0)
        metrics = opt.fontMetrics
        author = reveal(str(index.data(AuthorRole)))  # hidden characters shown, not obeyed
        suffix = f" · {reveal(str(recorder))}"
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = opt.palette.color(group)
        muted = QColor(color)
        muted.setAlphaF(MUTED_ALPHA)
        # The recorder keeps at least half the cell: it is the fact, the author the claim.
        suffix_width = min(metrics.horizontalAdvance(suffix), rect.width() // 2)
        shown_author = metrics.elidedText(
            author, Qt.TextElideMode.ElideRight, rect.width() - suffix_width
        )
        author_width = metrics.horizontalAdvance(shown_author)
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(color)
        painter.drawText(
            rect.adjusted(0, 0, -(rect.width() - author_width), 0), flags, shown_author
        )
        rest = rect.adjusted(author_width, 0, 0, 0)
        painter.setPen(muted)
        painter.drawText(
            rest, flags, metrics.elidedText(suffix, Qt.TextElideMode.ElideRight, rest.width())
        )
        painter.restore()
