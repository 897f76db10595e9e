"""A metrics report: the figures of each metric over each group, per month, and as JSON
or CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incidentdesk.core.library.metrics.definitions import ALL, METRIC_BY_KEY, METRICS, TREND_METRICS
from incidentdesk.core.postmortem.action_tally import ActionItemCounts
from incidentdesk.core.timefmt import format_utc


@dataclass(frozen=True)
class MetricStats:
    """One metric over one group of incidents; durations in seconds (None: no values)."""

    metric: str
    incidents: int  # in the group: measured + missing + negative + not_recorded
    measured: int  # with both milestones, in order
    missing: int  # lacking one milestone or both
    missing_by_milestone: tuple[tuple[str, int], ...]  # (start, n), (end, n)
    most_missing: str | None  # the milestone missing most often (the earlier on a tie)
    negative: int  # the end milestone before the start one: bad data, left out
    median: float | None
    p90: float | None
    mean: float | None
    not_recorded: int = 0  # both milestones still at the declaration's default: no value

    @property
    def unrecorded(self) -> bool:
        """Nothing measured, and some incidents never had the metric recorded: the figures
        say "not recorded" rather than nothing (or zero)."""
        return self.measured == 0 and self.not_recorded > 0

    def as_json(self) -> dict[str, Any]:
        """Stable keys; durations in seconds (floats) or null."""
        return {
            "measured": self.measured,
            "missing": self.missing,
            "missing_by_milestone": dict(self.missing_by_milestone),
            "most_missing": self.most_missing,
            "negative": self.negative,
            "not_recorded": self.not_recorded,
            "median_seconds": self.median,
            "p90_seconds": self.p90,
            "mean_seconds": self.mean,
        }


def not_recorded_sentence(stats: MetricStats) -> str:
    """``Not recorded for 3 incidents: no detected time apart from …``: why a metric has no
    value for incidents whose milestones hold only the declaration's default (empty when
    there are none)."""
    if not stats.not_recorded:
        return ""
    metric = METRIC_BY_KEY[stats.metric]
    start, end = metric.start.removesuffix("_at"), metric.end.removesuffix("_at")
    n = stats.not_recorded
    whose = "incident" if n == 1 else "incidents"
    return (
        f"Not recorded for {n} {whose}: no {end} time apart from the {start} time (declaring "
        f"sets both to the same moment); record it with 'incidentdesk milestone ID {end} "
        "--at TIME'."
    )


@dataclass(frozen=True)
class GroupMetrics:
    """Every metric over one group of incidents (a severity, a service, a month, or all)."""

    key: str
    incidents: int
    metrics: tuple[MetricStats, ...]  # in the order of METRICS

    def metric(self, key: str) -> MetricStats:
        """The figures of one metric, by its key (``time_to_resolve``, …)."""
        return self.metrics[[m.key for m in METRICS].index(key)]

    def as_json(self) -> dict[str, Any]:
        """Stable keys: ``key``, ``incidents`` and ``metrics`` by metric key."""
        return {
            "key": self.key,
            "incidents": self.incidents,
            "metrics": {s.metric: s.as_json() for s in self.metrics},
        }


@dataclass(frozen=True)
class MonthCount:
    """How many of the incidents counted started in a month (UTC, ``YYYY-MM``)."""

    month: str
    incidents: int


@dataclass(frozen=True)
class MonthTrend:
    """MTTA and MTTR (see :data:`TREND_METRICS`) over the incidents that started in a month
    (UTC, ``YYYY-MM``); a month without incidents has figures with nothing measured."""

    month: str
    incidents: int
    metrics: tuple[MetricStats, ...]  # in the order of TREND_METRICS

    def metric(self, key: str) -> MetricStats:
        """The figures of one trend metric, by its key."""
        return self.metrics[TREND_METRICS.index(key)]

    def as_json(self) -> dict[str, Any]:
        """Stable keys: ``month``, ``incidents`` and ``metrics`` by metric key."""
        return {
            "month": self.month,
            "incidents": self.incidents,
            "metrics": {s.metric: s.as_json() for s in self.metrics},
        }


@dataclass(frozen=True)
class MetricsReport:
    """The result of :func:`compute_metrics`."""

    by: str
    since: datetime | None
    until: datetime | None
    include_drills: bool
    groups: tuple[GroupMetrics, ...]
    total: GroupMetrics  # every incident counted, each once (key ``all``)
    per_month: tuple[MonthCount, ...]  # consecutive months, empty ones included
    considered: int  # rows given
    drills_excluded: int
    outside_period: int  # started before ``since`` or at/after ``until``
    undated: int  # no start while a period was asked for: cannot be placed in it
    actions: ActionItemCounts = field(default_factory=ActionItemCounts)
    out_of_range: int = 0  # a date outside 1970–2200: left out
    trend: tuple[MonthTrend, ...] = ()  # the months of per_month, with MTTA and MTTR

    @property
    def counted(self) -> int:
        """The incidents the figures are about."""
        return self.total.incidents

    def out_of_range_note(self) -> str:
        """``1 incident has a date outside 1970–2200 and is left out.`` (empty: none)."""
        n = self.out_of_range
        if not n:
            return ""
        has = "incident has" if n == 1 else "incidents have"
        return f"{n} {has} a date outside 1970–2200 and {'is' if n == 1 else 'are'} left out."

    def as_json(self) -> dict[str, Any]:
        """The stable JSON document (durations in seconds, floats; times ISO 8601 UTC)."""
        return {
            "by": self.by,
            "since": format_utc(self.since) if self.since else None,
            "until": format_utc(self.until) if self.until else None,
            "include_drills": self.include_drills,
            "definitions": [
                {
                    "key": m.key,
                    "label": m.label,
                    "from": m.start,
                    "to": m.end,
                    "definition": m.definition,
                }
                for m in METRICS
            ],
            "totals": {
                "considered": self.considered,
                "counted": self.counted,
                "drills_excluded": self.drills_excluded,
                "outside_period": self.outside_period,
                "undated": self.undated,
                "out_of_range": self.out_of_range,
                "metrics": self.total.as_json()["metrics"],
            },
            "groups": [g.as_json() for g in self.groups],
            "action_items": self.actions.as_json(),
            "per_month": [{"month": m.month, "incidents": m.incidents} for m in self.per_month],
            "trend": [t.as_json() for t in self.trend],
        }

    def as_csv_rows(self) -> list[list[str]]:
        """A header, then one row per group and metric, then the totals (group ``all``)."""
        rows = [list(CSV_HEADER)]
        groups = self.groups if self.by == ALL else (*self.groups, self.total)
        for group in groups:
            by = ALL if group is self.total else self.by
            for s in group.metrics:
                figures = (s.incidents, s.measured, s.missing, s.most_missing)
                more = (s.negative, s.median, s.p90, s.mean, s.not_recorded)
                rows.append([by, group.key, s.metric, *map(_csv_cell, (*figures, *more))])
        return rows


CSV_HEADER: tuple[str, ...] = (
    *("by", "group", "metric", "incidents", "measured", "missing", "most_missing"),
    *("negative", "median_seconds", "p90_seconds", "mean_seconds", "not_recorded"),
)


def _csv_cell(value: str | float | None) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)
