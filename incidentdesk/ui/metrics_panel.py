"""Shared response metrics: time to detect, acknowledge, mitigate and resolve, as charts.

The figures are :func:`~incidentdesk.core.metrics.compute_metrics` over the incident rows the
window already has; the computation runs on the worker. One card per metric shows the median
and p90 per group beside the metric's definition and how many incidents lack a milestone; a
last card counts incidents per month.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
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

from incidentdesk.core.metrics import (
    METRICS,
    GroupMetrics,
    MetricDefinition,
    MetricsReport,
    MetricStats,
    compute_metrics,
)
from incidentdesk.core.plural import counted
from incidentdesk.ui.charts import (
    COUNT_COLOR,
    COUNT_SCALE,
    MEDIAN_COLOR,
    P90_COLOR,
    BarChart,
    BarGroup,
    Series,
    duration_text,
)
from incidentdesk.ui.client import DeskClient
from incidentdesk.ui.period_picker import PeriodPicker

GROUP_BY = {
    "By severity": "severity",
    "By service": "service",
    "By team": "team",
    "By month": "month",
}
DURATION_SERIES = (Series("median", MEDIAN_COLOR), Series("p90", P90_COLOR))
COUNT_SERIES = (Series("incidents", COUNT_COLOR),)


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
        self.chart = BarChart(parent=self)
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
        layout.addWidget(self.chart, 1, 0)
        layout.addLayout(side, 1, 1)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)

    def show_report(self, report: MetricsReport) -> None:
        """Show this metric's figures from a report."""
        key = self.metric_def.key
        groups = [_bar_group(g, g.metric(key), report.by) for g in report.groups]
        self.chart.empty_text = "No incidents in this period"
        self.chart.set_data(DURATION_SERIES, groups)
        total = report.total.metric(key)
        self.overall.setText("All counted: " + _figures(total))
        lacking = lacking_sentences(total)
        self.lacking.setText("\n".join(lacking))
        self.lacking.setVisible(bool(lacking))


def _bar_group(group: GroupMetrics, stats: MetricStats, by: str) -> BarGroup:
    detail = [f"{stats.measured} of {counted(group.incidents, 'incident')} measured"]
    detail += lacking_sentences(stats)
    if stats.mean is not None:
        detail.insert(0, f"mean: {duration_text(stats.mean)}")
    return BarGroup(group_label(group.key, by), (stats.median, stats.p90), "\n".join(detail))


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

        self.group_box = QComboBox(self)
        self.group_box.setAccessibleName("Group by")
        self.group_box.addItems(list(GROUP_BY))
        self.period = PeriodPicker(self)
        self.drills_box = QCheckBox("Include drills", self)
        self.drills_box.setToolTip("Drills are left out of the figures unless included")
        self.summary = QLabel(self)
        self.summary.setProperty("muted", True)
        self.summary.setWordWrap(True)
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

        self.cards = {m.key: MetricCard(m) for m in METRICS}
        self.month_card = _card(self)
        self.month_chart = BarChart(COUNT_SCALE, self.month_card)
        self.month_chart.setAccessibleName("Incidents per month")
        self.month_chart.empty_text = "No incidents in this period"
        month_layout = QVBoxLayout(self.month_card)
        month_layout.setContentsMargins(10, 8, 10, 8)
        month_layout.addWidget(QLabel("<b>Incidents per month</b>", self.month_card))
        month_layout.addWidget(self.month_chart)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        for card in self.cards.values():
            column.addWidget(card)
        column.addWidget(self.month_card)
        column.addStretch(1)
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

    # ------------------------------------------------------------ feeding

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """Every incident (the Desk's ``incidents(include_closed=True)``)."""
        self.rows = list(rows)
        self._stale = True
        if self.isVisible():
            self.recompute()

    def reload(self) -> None:
        """Fetch every incident (the window normally feeds :meth:`set_rows` itself)."""
        self.client.call(lambda d: d.incidents(include_closed=True), self.set_rows)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.recompute()

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
                service_teams=desk.service_teams(),
                action_items=desk.action_items(),
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
        months = [
            BarGroup(group_label(m.month, "month"), (float(m.incidents),)) for m in report.per_month
        ]
        self.month_chart.set_data(COUNT_SERIES, months)
        self.summary.setText(summary_text(report))
        self.action_counts.setText(report.actions.sentence())

    def _failed(self, serial: int, error: BaseException) -> None:
        if serial == self._serial:
            self.summary.setText(str(error))


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
    return " · ".join(parts)
