"""A chart with months along the bottom: incidents per month as columns, or a trend (MTTA,
MTTR) as a line through the months.

Each column has its count written above it; each point of a trend has ``n=`` (the incidents
measured that month) under its month, and its value above it where there is room. A month
without a value breaks the line rather than drawing a zero. The height is fixed and small.
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from incidentdesk.ui.metrics.charts import COUNT_SCALE, Chart, Ink, ValueScale

_PLOT_HEIGHT = 96.0
_POINT = 3.5  # the radius of a trend's point


class MonthChart(Chart):
    """One value per month: a column (``line=False``) or a point on a line (``line=True``).

    Args:
        scale: how values are written and spaced.
        line: draw a line through the months (a trend) instead of columns (counts).
        parent: the owning widget.
    """

    def __init__(
        self, scale: ValueScale = COUNT_SCALE, line: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(scale, parent)
        self.line = line

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        below = metrics.height() * (2 if self.line else 1) + 10
        return QSize(420, math.ceil(self._top_margin() + _PLOT_HEIGHT + below))

    def minimumSizeHint(self) -> QSize:
        return QSize(220, self.sizeHint().height())

    def _top_margin(self) -> float:
        return QFontMetrics(self.font()).height() + 8.0  # room for the values above marks

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        step, top = self._axis()
        ticks = [self.scale.tick(step * i) for i in range(round(top / step) + 1)]
        left = max((metrics.horizontalAdvance(t) for t in ticks), default=20) + 10
        return QRectF(left, self._top_margin(), self.width() - left - 8, _PLOT_HEIGHT)

    def _group_width(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.groups))

    def _y(self, plot: QRectF, value: float, top: float) -> float:
        return plot.bottom() - plot.height() * min(value, top) / top if top else plot.bottom()

    def bar_rects(self) -> list[tuple[int, int, QRectF]]:
        """Each drawn mark as (group index, 0, rectangle): a column, or the square around a
        trend's point."""
        plot = self._plot_rect()
        _step, top = self._axis()
        width = self._group_width(plot)
        marks = []
        for g, group in enumerate(self.groups):
            value = group.values[0] if group.values else None
            if value is None:
                continue
            centre = plot.left() + (g + 0.5) * width
            y = self._y(plot, value, top)
            if self.line:
                rect = QRectF(centre - _POINT, y - _POINT, 2 * _POINT, 2 * _POINT)
            else:
                column = min(width * 0.6, 44.0)
                height = max(plot.bottom() - y, 2.0 if value else 0.0)
                rect = QRectF(centre - column / 2, plot.bottom() - height, column, height)
            marks.append((g, 0, rect))
        return marks

    def group_at(self, point: QPoint | QPointF) -> int | None:
        plot = self._plot_rect()
        if not self.groups or not (plot.left() <= point.x() < plot.right()):
            return None
        if not (0 <= point.y() <= self.height()):
            return None
        index = int((point.x() - plot.left()) // self._group_width(plot))
        return index if 0 <= index < len(self.groups) else None

    def value_label(self, index: int) -> str:
        """What is written above a month's mark: its count, or its value (a trend)."""
        group = self.groups[index]
        value = group.values[0] if group.values else None
        return "" if value is None else self.scale.tick(value) if self.line else group.count_label

    def paint_chart(self, painter: QPainter, ink: Ink) -> None:
        text, muted, grid, metrics = ink.text, ink.muted, ink.grid, ink.metrics
        plot = self._plot_rect()
        step, top = self._axis()
        width = self._group_width(plot)

        ticks = round(top / step)
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.scale.tick(step * i),
            )
        if self._hovered is not None:
            band = QRectF(plot.left() + self._hovered * width, plot.top(), width, plot.height())
            painter.fillRect(band, self._hover_colour())

        colour = QColor(self.series[0].color) if self.series else QColor(text)
        marks = self.bar_rects()
        if self.line:
            painter.setPen(QPen(colour, 2))
            for (g1, _s1, a), (g2, _s2, b) in itertools.pairwise(marks):
                if g2 == g1 + 1:  # a month without a value breaks the line
                    painter.drawLine(a.center(), b.center())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            for _g, _s, rect in marks:
                painter.drawEllipse(rect)
        else:
            for _g, _s, rect in marks:
                painter.fillRect(rect, colour)

        # Values above the marks, where they fit.
        painter.setPen(text)
        for g, _s, rect in marks:
            label = self.value_label(g)
            if metrics.horizontalAdvance(label) + 4 > width:
                continue
            painter.drawText(
                QRectF(
                    rect.center().x() - width / 2,
                    rect.top() - metrics.height() - 2,
                    width,
                    metrics.height(),
                ),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                label,
            )
        self._paint_months(painter, metrics, plot, text, muted)
        painter.setPen(QPen(muted, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    def _paint_months(
        self, painter: QPainter, metrics: QFontMetrics, plot: QRectF, text: QColor, muted: QColor
    ) -> None:
        """Month names under the plot (as many as fit), and under each a trend's ``n=``."""
        width = self._group_width(plot)
        widest = max(metrics.horizontalAdvance(g.label) for g in self.groups) + 8
        every = max(1, math.ceil(widest / width)) if width > 0 else 1
        for g, group in enumerate(self.groups):
            if g % every:
                continue
            cell = QRectF(
                plot.left() + g * width - width * (every - 1) / 2,
                plot.bottom() + 4,
                width * every,
                metrics.height(),
            )
            painter.setPen(text)
            label = metrics.elidedText(group.label, Qt.TextElideMode.ElideRight, int(cell.width()))
            painter.drawText(cell, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
            if self.line and group.count_label:
                painter.setPen(muted)
                painter.drawText(
                    cell.translated(0, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    group.count_label,
                )
