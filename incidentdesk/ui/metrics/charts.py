"""Small charts drawn with QPainter (PySide6-Essentials has no QtCharts).

A :class:`BarChart` has one row per group (a severity, a service, a team, a month): a filled
bar for the median, a tick for the 90th percentile joined to it by a whisker, and ``n=`` at
the end of the row (the incidents the row summarises). Its height follows the number of rows,
so a chart of three severities takes three rows, not a screenful. The month charts (counts per
month, MTTA and MTTR by month) are in :mod:`incidentdesk.ui.metrics.month_chart`.

Text, axes and grid come from the palette, so the charts read in light and dark themes; only
the marks carry colour. Hovering a group shows its values in a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

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
MTTA_COLOR = "#3d7fc4"
MTTR_COLOR = "#c2549d"

BAR = "bar"  # a filled bar from zero to the value
TICK = "tick"  # a short upright line at the value, joined to the row's bar by a whisker

_DURATION_STEPS = (
    *(1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600),
    *(86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400),
)


@dataclass(frozen=True)
class Series:
    """One kind of mark (``median``, ``p90``, ``incidents``), its colour and shape."""

    name: str
    color: str
    mark: str = BAR  # BAR or TICK


@dataclass(frozen=True)
class BarGroup:
    """The values of one group (a severity, a service, a month): one per series.

    A value of None draws no mark; a group with no value at all says ``note`` instead
    (``not recorded``), or ``no data``.
    """

    label: str
    values: tuple[float | None, ...]
    detail: str = ""  # added to the tooltip, e.g. "2 incidents lack a mitigated time"
    count: int | None = None  # the incidents the values summarise: written "n=3"
    note: str = ""  # said in place of the marks when there are no values

    @property
    def count_label(self) -> str:
        """``n=3`` (empty when the group has no count)."""
        return "" if self.count is None else f"n={self.count}"

    @property
    def empty_label(self) -> str:
        """What a group without values says in place of its marks."""
        return self.note or "no data"

    def has_values(self) -> bool:
        """Some series has a value."""
        return any(v is not None for v in self.values)


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


def axis_for(maximum: float, scale: ValueScale) -> tuple[float, float]:
    """(tick step, top of the axis) for values up to ``maximum``: round, with room above."""
    if maximum <= 0:
        return 1.0, 1.0
    step = scale.step(maximum)
    top = step * math.ceil(maximum / step)
    if maximum > top * 0.95:  # room beyond the longest mark
        top += step
    return step, top


@dataclass(frozen=True)
class Ink:
    """What a chart paints its text and grid with (from the palette: both themes)."""

    text: QColor
    muted: QColor  # axis labels, notes, n=
    grid: QColor
    metrics: QFontMetrics


def muted_colour(palette: QPalette, alpha: float = 0.7) -> QColor:
    """The text colour, softened (axis labels, notes)."""
    colour = QColor(palette.color(QPalette.ColorRole.WindowText))
    colour.setAlphaF(alpha)
    return colour


class Chart(QWidget):
    """What every chart shares: its series and groups, tooltips and the hovered group.

    Subclasses lay the groups out (:meth:`group_at`) and paint them.

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
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, series: Sequence[Series], groups: Sequence[BarGroup]) -> None:
        """Show these groups (each with one value per series)."""
        self.series = tuple(series)
        self.groups = tuple(groups)
        self._hovered = None
        self.setAccessibleDescription(self.summary())
        self.updateGeometry()  # the height follows the groups
        self.update()

    def has_values(self) -> bool:
        """Some group has a value to draw."""
        return any(g.has_values() for g in self.groups)

    def summary(self) -> str:
        """Every value in words (for screen readers and tests)."""
        parts = []
        for group in self.groups:
            if group.has_values():
                values = ", ".join(
                    f"{s.name} {self._text(v)}"
                    for s, v in zip(self.series, group.values, strict=False)
                )
            else:
                values = group.empty_label
            count = f" ({group.count_label})" if group.count_label else ""
            parts.append(f"{group.label}{count}: {values}")
        return "; ".join(parts) or self.empty_text

    def _text(self, value: float | None) -> str:
        return "—" if value is None else self.scale.format(value)

    def _axis(self) -> tuple[float, float]:
        values = [v for g in self.groups for v in g.values if v is not None]
        return axis_for(max(values, default=0.0), self.scale)

    def group_at(self, point: QPoint | QPointF) -> int | None:
        """The group under a point of the widget, if any."""
        raise NotImplementedError

    def tooltip_at(self, point: QPoint | QPointF) -> str:
        """What hovering at ``point`` shows (empty: nothing there)."""
        index = self.group_at(point)
        if index is None:
            return ""
        group = self.groups[index]
        lines = [f"{group.label} ({group.count_label})" if group.count_label else group.label]
        if group.has_values():
            for series, value in zip(self.series, group.values, strict=False):
                lines.append(f"{series.name}: {self._text(value)}")
        else:
            lines.append(group.empty_label)
        if group.detail:
            lines.append(group.detail)
        return "\n".join(lines)

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

    def _hover_colour(self) -> QColor:
        band = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        band.setAlphaF(0.25)
        return band

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        if self.has_values():
            ink = Ink(
                palette.color(QPalette.ColorRole.WindowText),
                muted_colour(palette),
                muted_colour(palette, 0.14),
                QFontMetrics(self.font()),
            )
            self.paint_chart(painter, ink)
        else:
            painter.setPen(muted_colour(palette))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
        painter.end()

    def paint_chart(self, painter: QPainter, ink: Ink) -> None:
        """Paint the groups (there is some value to draw)."""
        raise NotImplementedError

    def paint_legend(self, painter: QPainter, metrics: QFontMetrics) -> None:
        """The series, right-aligned on the top line: a swatch of each mark and its name."""
        text = self.palette().color(QPalette.ColorRole.WindowText)
        x = float(self.width() - 8)
        size = metrics.height() * 0.7
        top = 2 + (metrics.height() - size) / 2
        for series in reversed(self.series):
            label_width = metrics.horizontalAdvance(series.name)
            x -= label_width
            painter.setPen(text)
            painter.drawText(
                QRectF(x, 2, label_width, metrics.height()),
                Qt.AlignmentFlag.AlignVCenter,
                series.name,
            )
            x -= size + 6
            colour = QColor(series.color)
            if series.mark == TICK:
                painter.setPen(QPen(colour, 2))
                mid = top + size / 2
                painter.drawLine(QPointF(x - 2, mid), QPointF(x + size / 2, mid))
                painter.fillRect(QRectF(x + size / 2 - 1.5, top - 1, 3, size + 2), colour)
            else:
                painter.fillRect(QRectF(x, top, size, size), colour)
            x -= 16


class BarChart(Chart):
    """Horizontal rows, one per group: a bar per BAR series and a tick per TICK series, with
    ``n=`` at the end of each row and a value axis below. Its height follows the rows."""

    def _row_height(self) -> float:
        return float(max(24, QFontMetrics(self.font()).height() + 12))

    def _legend_height(self) -> float:
        return QFontMetrics(self.font()).height() + 10.0 if len(self.series) > 1 else 2.0

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        if not self.has_values():
            return QSize(480, metrics.height() * 3)
        rows = max(1, len(self.groups))
        axis = metrics.height() + 8
        height = 4 + self._legend_height() + rows * self._row_height() + axis
        return QSize(480, math.ceil(height))

    def minimumSizeHint(self) -> QSize:
        return QSize(260, self.sizeHint().height())

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        labels = [metrics.horizontalAdvance(g.label) for g in self.groups]
        left = min(max(labels, default=40) + 16, max(90.0, self.width() * 0.32))
        counts = [metrics.horizontalAdvance(g.count_label) for g in self.groups]
        right = max(counts, default=0) + 14.0
        _step, top = self._axis()
        last_tick = metrics.horizontalAdvance(self.scale.tick(top))
        right = max(right, last_tick / 2 + 6)
        rows = max(1, len(self.groups))
        return QRectF(
            left,
            4 + self._legend_height(),
            max(20.0, self.width() - left - right),
            rows * self._row_height(),
        )

    def _x(self, plot: QRectF, value: float, top: float) -> float:
        return plot.left() + plot.width() * min(value, top) / top if top else plot.left()

    def bar_rects(self) -> list[tuple[int, int, QRectF]]:
        """Each drawn mark as (group index, series index, rectangle): bars from the axis,
        ticks as thin upright rectangles at their value."""
        plot = self._plot_rect()
        _step, top = self._axis()
        row = self._row_height()
        marks = []
        for g, group in enumerate(self.groups):
            middle = plot.top() + (g + 0.5) * row
            for s, value in enumerate(group.values[: len(self.series)]):
                if value is None:
                    continue
                x = self._x(plot, value, top)
                if self.series[s].mark == TICK:
                    rect = QRectF(x - 1.5, middle - row * 0.38, 3.0, row * 0.76)
                else:
                    thickness = row * 0.52
                    width = max(x - plot.left(), 2.0)  # a zero is a value: a stub, not a gap
                    rect = QRectF(plot.left(), middle - thickness / 2, width, thickness)
                marks.append((g, s, rect))
        return marks

    def group_at(self, point: QPoint | QPointF) -> int | None:
        plot = self._plot_rect()
        if not self.groups or not (0 <= point.x() < self.width()):
            return None
        if not (plot.top() <= point.y() < plot.bottom()):
            return None
        index = int((point.y() - plot.top()) // self._row_height())
        return index if 0 <= index < len(self.groups) else None

    def paint_chart(self, painter: QPainter, ink: Ink) -> None:
        text, muted, grid, metrics = ink.text, ink.muted, ink.grid, ink.metrics
        plot = self._plot_rect()
        row = self._row_height()
        step, top = self._axis()

        # Grid lines and the value axis below the rows.
        ticks = round(top / step)
        for i in range(ticks + 1):
            x = plot.left() + plot.width() * i / ticks
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            label = self.scale.tick(step * i)
            width = metrics.horizontalAdvance(label) + 4
            painter.setPen(muted)
            painter.drawText(
                QRectF(x - width / 2, plot.bottom() + 4, width, metrics.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
        if self._hovered is not None:
            band = QRectF(0, plot.top() + self._hovered * row, self.width(), row)
            painter.fillRect(band, self._hover_colour())

        marks = self.bar_rects()
        for _g, s, rect in marks:  # bars first, then whiskers and ticks over them
            if self.series[s].mark != TICK:
                painter.fillRect(rect, QColor(self.series[s].color))
        self._paint_whiskers(painter, plot, top)
        for _g, s, rect in marks:
            if self.series[s].mark == TICK:
                painter.fillRect(rect, QColor(self.series[s].color))

        for g, group in enumerate(self.groups):
            band = QRectF(0, plot.top() + g * row, plot.left() - 8, row)
            painter.setPen(text)
            label = metrics.elidedText(group.label, Qt.TextElideMode.ElideRight, int(band.width()))
            painter.drawText(
                band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
            if not group.has_values():
                painter.setPen(muted)
                note = QRectF(plot.left() + 6, band.top(), plot.width() - 6, row)
                painter.drawText(note, Qt.AlignmentFlag.AlignVCenter, group.empty_label)
            if group.count_label:
                painter.setPen(muted)
                count = QRectF(plot.right() + 8, band.top(), self.width() - plot.right() - 8, row)
                painter.drawText(count, Qt.AlignmentFlag.AlignVCenter, group.count_label)
        painter.setPen(QPen(muted, 1))
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        if len(self.series) > 1:
            self.paint_legend(painter, metrics)

    def _paint_whiskers(self, painter: QPainter, plot: QRectF, top: float) -> None:
        """A line from the end of each row's bar to each of its ticks (the spread)."""
        bars = [i for i, s in enumerate(self.series) if s.mark != TICK]
        if not bars:
            return
        row = self._row_height()
        for g, group in enumerate(self.groups):
            base = group.values[bars[0]] if bars[0] < len(group.values) else None
            start = self._x(plot, base, top) if base is not None else plot.left()
            middle = plot.top() + (g + 0.5) * row
            for s, value in enumerate(group.values[: len(self.series)]):
                if value is None or self.series[s].mark != TICK:
                    continue
                painter.setPen(QPen(QColor(self.series[s].color), 2))
                painter.drawLine(QPointF(start, middle), QPointF(self._x(plot, value, top), middle))
