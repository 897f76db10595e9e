"""Shared response metrics: time to detect, acknowledge, mitigate and resolve, as charts.

The figures are :func:`~incidentdesk.core.library.metrics.compute_metrics` over the incident
rows the window already has; the computation runs on the worker. One card per metric shows,
per group, the median as a bar and the p90 as a tick with ``n=`` (the incidents measured),
beside the metric's definition and how many incidents lack a milestone; a metric never
recorded says so instead of drawing zeros. Then MTTA and MTTR by month, and incidents per
month. A failure is one sentence above the charts, never an exception's text.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.errors import UserError
from incidentdesk.core.library.metrics import (
    METRIC_BY_KEY,
    METRICS,
    TREND_METRICS,
    GroupMetrics,
    MetricDefinition,
    MetricsReport,
    MetricStats,
    compute_metrics,
    not_recorded_sentence,
)
from incidentdesk.core.plural import counted
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.metrics.charts import (
    BAR,
    COUNT_COLOR,
    COUNT_SCALE,
    DURATION_SCALE,
    MEDIAN_COLOR,
    MTTA_COLOR,
    MTTR_COLOR,
    P90_COLOR,
    TICK,
    BarChart,
    BarGroup,
    Series,
    duration_text,
)
from incidentdesk.ui.metrics.month_chart import MonthChart
from incidentdesk.ui.metrics.period_picker import PeriodPicker

log = logging.getLogger(__name__)

GROUP_BY = {
    "By severity": "severity",
    "By service": "service",
    "By team": "team",
    "By month": "month",
}
DURATION_SERIES = (Series("median", MEDIAN_COLOR, BAR), Series("p90", P90_COLOR, TICK))
COUNT_SERIES = (Series("incidents", COUNT_COLOR),)
TREND_COLORS = {"time_to_acknowledge": MTTA_COLOR, "time_to_resolve": MTTR_COLOR}
NOT_RECORDED = "not recorded"
TWO_COLUMNS_FROM = 1600  # the panel's width from which the cards sit two abreast
UNEXPECTED = (
    "The metrics could not be computed because of an unexpected error (written to the log); "
    "the charts still show the last figures."
)


def milestone_word(milestone: str) -> str:
    """``mitigated_at`` → ``mitigated``."""
    return milestone.removesuffix("_at")


def lacking_sentences(stats: MetricStats) -> list[str]:
    """``3 incidents lack a mitigated time``, per milestone that some incident lacks, and the
    incidents whose milestones are out of order."""
    lines = []
    for milestone, count in stats.missing_by_milestone:
        if count:
            noun = "incident lacks" if count == 1 else "incidents lack"
            word = milestone_word(milestone)
            article = "an" if word[0] in "aeiou" else "a"
            lines.append(f"{count} {noun} {article} {word} time.")
    if stats.negative:
        noun = "incident has" if stats.negative == 1 else "incidents have"
        lines.append(f"{stats.negative} {noun} its milestones out of order (left out).")
    if stats.not_recorded and not stats.unrecorded:
        lines.append(not_recorded_sentence(stats))
    return lines


def group_label(key: str, by: str) -> str:
    """A group's name on a chart: ``2026-11`` becomes ``Nov 2026``."""
    if by != "month" or len(key) != 7 or key[4] != "-":
        return key
    try:
        return datetime.strptime(key, "%Y-%m").strftime("%b %Y")
    except ValueError:
        return key


def _figures(stats: MetricStats) -> str:
    if stats.unrecorded:
        return f"Not recorded: {not_recorded_sentence(stats).partition(': ')[2]}"
    if stats.median is None:
        return "No incident has both milestones yet."
    parts = [
        f"median {duration_text(stats.median)}",
        f"p90 {duration_text(stats.p90 or 0)}",
        f"mean {duration_text(stats.mean or 0)}",
    ]
    return f"{', '.join(parts)} over {stats.measured} incident{'s' if stats.measured != 1 else ''}"


def _card(parent: QWidget) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("MetricCard")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    return frame


class MetricCard(QFrame):
    """One metric: its chart (median and p90 per group) with the definition beside it."""

    def __init__(self, metric: MetricDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric_def = metric
        self.setObjectName("MetricCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{metric.label}</b>", self)
        self.chart = BarChart(DURATION_SCALE, self)
        self.chart.setAccessibleName(metric.label)
        self.definition = QLabel(metric.definition, self)
        self.definition.setWordWrap(True)
        span = f"{milestone_word(metric.start)} → {milestone_word(metric.end)}"
        self.span = QLabel(f"Spans: {span}", self)
        self.span.setProperty("muted", True)
        self.overall = QLabel(self)
        self.overall.setWordWrap(True)
        self.lacking = QLabel(self)
        self.lacking.setWordWrap(True)
        self.lacking.setProperty("muted", True)

        side = QVBoxLayout()
        side.setSpacing(6)
        for label in (self.definition, self.span, self.overall, self.lacking):
            side.addWidget(label)
        side.addStretch(1)
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title, 0, 0, 1, 2)
        layout.addWidget(self.chart, 1, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(side, 1, 1)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)

    def show_report(self, report: MetricsReport) -> None:
        """Show this metric's figures from a report."""
        key = self.metric_def.key
        groups = [_bar_group(g, g.metric(key), report.by) for g in report.groups]
        total = report.total.metric(key)
        self.chart.empty_text = (
            f"Not recorded for any incident counted ({milestone_word(self.metric_def.end)} "
            f"is never set apart from {milestone_word(self.metric_def.start)})"
            if total.unrecorded
            else "No incident has both milestones yet"
            if report.counted
            else "No incidents in this period"
        )
        self.chart.set_data(DURATION_SERIES, groups)
        self.overall.setText("All counted: " + _figures(total))
        lacking = lacking_sentences(total)
        self.lacking.setText("\n".join(lacking))
        self.lacking.setVisible(bool(lacking))


def _bar_group(group: GroupMetrics, stats: MetricStats, by: str) -> BarGroup:
    detail = [f"{stats.measured} of {counted(group.incidents, 'incident')} measured"]
    detail += lacking_sentences(stats)
    if stats.unrecorded:
        detail.append(not_recorded_sentence(stats))
    if stats.mean is not None:
        detail.insert(0, f"mean: {duration_text(stats.mean)}")
    return BarGroup(
        group_label(group.key, by),
        (stats.median, stats.p90),
        "\n".join(detail),
        count=stats.measured,
        note=NOT_RECORDED if stats.unrecorded else "",
    )


class TrendCard(QFrame):
    """MTTA and MTTR by month: the mean of each month's incidents, as a line per metric."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MetricCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("<b>MTTA and MTTR by month</b>", self)
        self.definition = QLabel(
            "The mean time to acknowledge and to resolve of the incidents that started in each "
            "month (UTC); n: the incidents measured that month.",
            self,
        )
        self.definition.setWordWrap(True)
        self.definition.setProperty("muted", True)
        self.charts: dict[str, MonthChart] = {}
        row = QHBoxLayout()
        row.setSpacing(16)
        for key in TREND_METRICS:
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(QLabel(METRIC_BY_KEY[key].label, self))
            chart = MonthChart(DURATION_SCALE, line=True, parent=self)
            chart.setAccessibleName(f"{METRIC_BY_KEY[key].label} by month")
            chart.empty_text = "No incident measured in this period"
            column.addWidget(chart)
            row.addLayout(column, 1)
            self.charts[key] = chart
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.definition)
        layout.addLayout(row)

    def show_report(self, report: MetricsReport) -> None:
        """Show the months of a report."""
        for key, chart in self.charts.items():
            series = (Series("mean", TREND_COLORS[key]),)
            months = []
            for month in report.trend:
                stats = month.metric(key)
                detail = [f"{stats.measured} of {month.incidents} incidents measured"]
                if stats.median is not None:
                    detail.append(f"median: {duration_text(stats.median)}")
                months.append(
                    BarGroup(
                        group_label(month.month, "month"),
                        (stats.mean,),
                        "\n".join(detail),
                        count=stats.measured,
                    )
                )
            chart.set_data(series, months)


class MetricsPanel(QWidget):
    """Response metrics for the incidents in the local store, grouped and filtered.

    The window feeds it the incident rows (:meth:`set_rows`); the figures are computed on
    the worker when the panel is visible.
    """

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MetricsPanel")
        self.client = client
        self.rows: list[dict[str, Any]] = []
        self.report: MetricsReport | None = None
        self._stale = True
        self._serial = 0

        controls = self._build_controls()

        self.cards = {m.key: MetricCard(m) for m in METRICS}
        self.trend_card = TrendCard(self)
        self.month_card = _card(self)
        self.month_chart = MonthChart(COUNT_SCALE, parent=self.month_card)
        self.month_chart.setAccessibleName("Incidents per month")
        self.month_chart.empty_text = "No incidents in this period"
        month_layout = QVBoxLayout(self.month_card)
        month_layout.setContentsMargins(10, 8, 10, 8)
        month_layout.addWidget(QLabel("<b>Incidents per month</b>", self.month_card))
        month_layout.addWidget(self.month_chart)

        content = QWidget()
        self.grid = QGridLayout(content)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        self.columns = 0
        self._lay_out_cards(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.action_counts)
        layout.addWidget(self.scroll_area, 1)

    def _build_controls(self) -> QHBoxLayout:
        self.group_box = QComboBox(self)
        self.group_box.setAccessibleName("Group by")
        self.group_box.addItems(list(GROUP_BY))
        self.period = PeriodPicker(self)
        self.drills_box = QCheckBox("Include drills", self)
        self.drills_box.setToolTip("Drills are left out of the figures unless included")
        self.summary = QLabel(self)
        self.summary.setProperty("muted", True)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.action_counts = QLabel(self)
        self.action_counts.setObjectName("ActionItemCounts")
        self.action_counts.setToolTip(
            "The action items of the post-mortems of the incidents counted; overdue: open or "
            "in progress past their due date."
        )
        self.group_box.currentIndexChanged.connect(self.recompute)
        self.period.changed.connect(self.recompute)
        self.drills_box.toggled.connect(self.recompute)
        controls = QHBoxLayout()
        controls.addWidget(self.group_box)
        controls.addWidget(self.period)
        controls.addWidget(self.drills_box)
        controls.addStretch(1)
        return controls

    # ------------------------------------------------------------ feeding

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Every incident (the Desk's ``incidents(include_closed=True)``)."""
        self.rows = list(rows)
        self._stale = True
        if self.isVisible():
            self.recompute()

    def reload(self) -> None:
        """Fetch every incident (the window normally feeds :meth:`set_rows` itself)."""
        self.client.call(lambda d: d.incidents.rows(include_closed=True), self.set_rows)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.recompute()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._lay_out_cards(2 if event.size().width() >= TWO_COLUMNS_FROM else 1)

    def _lay_out_cards(self, columns: int) -> None:
        """The cards in one column, or two on a wide screen (the trend across both)."""
        if columns == self.columns:
            return
        self.columns = columns
        metrics: list[QWidget] = list(self.cards.values())
        for card in (*metrics, self.month_card, self.trend_card):
            self.grid.removeWidget(card)
        if columns == 1:  # the trend right after the metrics it follows
            cards = [*metrics, self.trend_card, self.month_card]
            rows = len(cards)
        else:  # incidents per month fills the place beside the last metric
            cards = [*metrics, self.month_card]
            rows = math.ceil(len(cards) / columns) + 1
            self.grid.addWidget(self.trend_card, rows - 1, 0, 1, columns)
        for index, card in enumerate(cards):
            self.grid.addWidget(card, index // columns, index % columns)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)  # spare height below the cards, not inside them
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def options(self) -> dict[str, Any]:
        """The arguments the figures are computed with (``by``, ``since``, ``until``,
        ``include_drills``)."""
        since, until = self.period.bounds()
        return {
            "by": GROUP_BY[self.group_box.currentText()],
            "since": since,
            "until": until,
            "include_drills": self.drills_box.isChecked(),
        }

    def recompute(self) -> None:
        """Compute the figures again (on the worker) with the current choices."""
        self._stale = False
        self._serial += 1
        serial, rows, options = self._serial, self.rows, self.options()
        self.client.call(
            lambda desk: compute_metrics(
                rows,
                service_teams=desk.catalog.service_teams(),
                action_items=desk.action_items.rows(),
                **options,
            ),
            lambda report: self._computed(serial, report),
            lambda error: self._failed(serial, error),
        )

    def _computed(self, serial: int, report: MetricsReport) -> None:
        if serial != self._serial:
            return  # the choices changed meanwhile
        self.report = report
        for card in self.cards.values():
            card.show_report(report)
        self.trend_card.show_report(report)
        months = [
            BarGroup(group_label(m.month, "month"), (float(m.incidents),), count=m.incidents)
            for m in report.per_month
        ]
        self.month_chart.set_data(COUNT_SERIES, months)
        self.summary.setText(summary_text(report))
        self.action_counts.setText(report.actions.sentence())

    def _failed(self, serial: int, error: BaseException) -> None:
        if serial == self._serial:
            self.summary.setText(failure_text(error))


def failure_text(error: BaseException) -> str:
    """One sentence for a failed computation: a refusal says why (an empty period); anything
    else is a bug, logged by the worker with its traceback, and never shown as it is."""
    if isinstance(error, UserError):
        return str(error)
    return UNEXPECTED


def summary_text(report: MetricsReport) -> str:
    """``42 incidents counted · 3 drills left out · 5 outside the period``."""
    counted = report.counted
    parts = [f"{counted} incident{'s' if counted != 1 else ''} counted"]
    if report.drills_excluded:
        drills = report.drills_excluded
        parts.append(f"{drills} drill{'s' if drills != 1 else ''} left out")
    if report.outside_period:
        parts.append(f"{report.outside_period} outside the period")
    if report.undated:
        parts.append(f"{report.undated} without a start time")
    if report.out_of_range:
        parts.append(report.out_of_range_note().removesuffix("."))
    return " · ".join(parts)
