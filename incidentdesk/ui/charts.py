"""Small bar charts drawn with QPainter (PySide6-Essentials has no QtCharts).

A :class:`BarChart` shows one bar per series in each group (median and p90 per severity, or
one count per month). Text, axes and grid come from the palette, so the chart reads in light
and dark themes; only the bars carry colour. Hovering a group shows its values in a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from incidentdesk.core.timefmt import format_duration

# Mid-tone colours that keep their contrast on a white and on a near-black background.
MEDIAN_COLOR = "#3d7fc4"
P90_COLOR = "#e08a2c"
COUNT_COLOR = "#4f9a6b"
DRILL_COLOR = "#8e7cc3"

_DURATION_STEPS = (
    1,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    2 * 86_400,
    7 * 86_400,
    14 * 86_400,
    30 * 86_400,
)


@dataclass(frozen=True)
class Series:
    """One kind of bar (``median``, ``p90``, ``incidents``) and its colour."""

    name: str
    color: str


@dataclass(frozen=True)
class BarGroup:
    """The bars of one group (a severity, a service, a month): one value per series.

    A value of None draws no bar (no incident in the group had that milestone).
    """

    label: str
    values: tuple[float | None, ...]
    detail: str = ""  # added to the tooltip, e.g. "7 incidents, 2 lack a mitigated time"


@dataclass(frozen=True)
class ValueScale:
    """How values are spaced on the axis and written."""

    format: Callable[[float], str]  # a value in a tooltip
    step: Callable[[float], float]  # a round tick step for values up to a maximum
    tick: Callable[[float], str]  # a value on the axis (short)


def _duration_step(maximum: float) -> float:
    for step in _DURATION_STEPS:
        if maximum / step <= 5:
            return float(step)
    return float(_DURATION_STEPS[-1] * math.ceil(maximum / _DURATION_STEPS[-1] / 5))


def _count_step(maximum: float) -> float:
    if maximum <= 5:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(maximum / 5))
    for factor in (1, 2, 5, 10):
        if maximum / (factor * magnitude) <= 5:
            return float(factor * magnitude)
    return float(10 * magnitude)


def duration_text(seconds: float) -> str:
    """``12m 30s``: a duration in seconds as people read it."""
    from datetime import timedelta

    return format_duration(timedelta(seconds=round(seconds)))


def tick_text(seconds: float) -> str:
    """``1h 15m``, ``30m``, ``2d``: a round duration, without its zero parts."""
    whole = round(seconds)
    if whole == 0:
        return "0"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        amount, whole = divmod(whole, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts[:2])


def _count_text(value: float) -> str:
    return f"{value:,.0f}"


DURATION_SCALE = ValueScale(duration_text, _duration_step, tick_text)
COUNT_SCALE = ValueScale(_count_text, _count_step, _count_text)


class BarChart(QWidget):
    """A grouped bar chart with a value axis, a legend and per-group tooltips.

    Args:
        scale: how values are written and spaced (durations or counts).
        parent: the owning widget.
    """

    def __init__(self, scale: ValueScale = DURATION_SCALE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self.series: tuple[Series, ...] = ()
        self.groups: tuple[BarGroup, ...] = ()
        self.empty_text = "No incidents"
        self._hovered: int | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(260, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(520, 210)

    def set_data(self, series: Sequence[Series], groups: Sequence[BarGroup]) -> None:
        """Show these groups (each with one value per series)."""
        self.series = tuple(series)
        self.groups = tuple(groups)
        self._hovered = None
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """Every value in words (for screen readers and tests)."""
        parts = []
        for group in self.groups:
            values = ", ".join(
                f"{s.name} {self._text(v)}" for s, v in zip(self.series, group.values, strict=False)
            )
            parts.append(f"{group.label}: {values}")
        return "; ".join(parts) or self.empty_text

    def _text(self, value: float | None) -> str:
        return "—" if value is None else self.scale.format(value)

    # ------------------------------------------------------------ geometry

    def _maximum(self) -> float:
        values = [v for g in self.groups for v in g.values if v is not None]
        return max(values, default=0.0)

    def _axis(self) -> tuple[float, float]:
        """(tick step, top of the axis)."""
        maximum = self._maximum()
        if maximum <= 0:
            return 1.0, 1.0
        step = self.scale.step(maximum)
        top = step * math.ceil(maximum / step)
        if maximum > top * 0.95:  # room above the tallest bar
            top += step
        return step, top

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        step, top = self._axis()
        ticks = [self.scale.tick(step * i) for i in range(round(top / step) + 1)]
        left = max((metrics.horizontalAdvance(t) for t in ticks), default=20) + 10
        legend = metrics.height() + 8 if len(self.series) > 1 else 4
        bottom = metrics.height() + 8
        return QRectF(
            left, legend + 4, self.width() - left - 8, self.height() - legend - bottom - 4
        )

    def _group_width(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.groups))

    def bar_rects(self) -> list[tuple[int, int, QRectF]]:
        """Each drawn bar as (group index, series index, rectangle)."""
        plot = self._plot_rect()
        _step, top = self._axis()
        width = self._group_width(plot)
        inner = min(width * 0.72, 36.0 * max(1, len(self.series)))
        bar = inner / max(1, len(self.series))
        bars = []
        for g, group in enumerate(self.groups):
            x0 = plot.left() + g * width + (width - inner) / 2
            for s, value in enumerate(group.values[: len(self.series)]):
                if value is None:
                    continue
                height = plot.height() * value / top if top else 0.0
                height = max(height, 2.0)  # a zero is a value: a stub, not a gap
                bars.append((g, s, QRectF(x0 + s * bar, plot.bottom() - height, bar - 2, height)))
        return bars

    def group_at(self, point: QPoint | QPointF) -> int | None:
        """The group under a point of the widget, if any."""
        plot = self._plot_rect()
        if not self.groups or not (plot.left() <= point.x() < plot.right()):
            return None
        if not (0 <= point.y() <= self.height()):
            return None
        index = int((point.x() - plot.left()) // self._group_width(plot))
        return index if 0 <= index < len(self.groups) else None

    def tooltip_at(self, point: QPoint | QPointF) -> str:
        """What hovering at ``point`` shows (empty: nothing there)."""
        index = self.group_at(point)
        if index is None:
            return ""
        group = self.groups[index]
        lines = [group.label]
        for series, value in zip(self.series, group.values, strict=False):
            lines.append(f"{series.name}: {self._text(value)}")
        if group.detail:
            lines.append(group.detail)
        return "\n".join(lines)

    # ------------------------------------------------------------ events

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hovered = self.group_at(event.position())
        if hovered != self._hovered:
            self._hovered = hovered
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.update()
        super().leaveEvent(event)

    # ------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlphaF(0.65)
        grid = QColor(text)
        grid.setAlphaF(0.14)
        metrics = QFontMetrics(self.font())

        if not any(v is not None for g in self.groups for v in g.values):
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return

        plot = self._plot_rect()
        step, top = self._axis()
        # Grid lines and the value axis.
        ticks = round(top / step)
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            label = self.scale.tick(step * i)
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

        width = self._group_width(plot)
        if self._hovered is not None:
            band = QColor(palette.color(QPalette.ColorRole.Highlight))
            band.setAlphaF(0.25)
            painter.fillRect(
                QRectF(plot.left() + self._hovered * width, plot.top(), width, plot.height()),
                band,
            )

        for _g, s, rect in self.bar_rects():
            painter.fillRect(rect, QColor(self.series[s].color))
        painter.setPen(muted)
        for g, group in enumerate(self.groups):
            if all(v is None for v in group.values):  # say so rather than leave a gap
                painter.drawText(
                    QRectF(plot.left() + g * width, plot.top(), width, plot.height() - 4),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    "no data",
                )

        # Group labels: as many as fit without overlapping.
        painter.setPen(text)
        widest = max(metrics.horizontalAdvance(g.label) for g in self.groups) + 8
        every = max(1, math.ceil(widest / width)) if width > 0 else 1
        for g, group in enumerate(self.groups):
            if g % every:
                continue
            label = metrics.elidedText(group.label, Qt.TextElideMode.ElideRight, int(width * every))
            painter.drawText(
                QRectF(
                    plot.left() + g * width - width * (every - 1) / 2,
                    plot.bottom() + 4,
                    width * every,
                    metrics.height(),
                ),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
        painter.setPen(QPen(muted, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

        if len(self.series) > 1:
            self._paint_legend(painter, metrics, text)
        painter.end()

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics, text: QColor) -> None:
        x = float(self.width() - 8)
        swatch = metrics.height() * 0.7
        for series in reversed(self.series):
            label_width = metrics.horizontalAdvance(series.name)
            x -= label_width
            painter.setPen(text)
            painter.drawText(
                QRectF(x, 2, label_width, metrics.height()),
                Qt.AlignmentFlag.AlignVCenter,
                series.name,
            )
            x -= swatch + 4
            painter.fillRect(
                QRectF(x, 2 + (metrics.height() - swatch) / 2, swatch, swatch),
                QColor(series.color),
            )
            x -= 14
