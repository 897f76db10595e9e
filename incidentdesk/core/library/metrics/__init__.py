"""Response metrics over incident-list rows: time to detect, acknowledge, mitigate, resolve.

Each metric is the time between two milestones of an incident (see :data:`METRICS`). For a
group of incidents (by severity, service or month, or all of them) and a metric, the report
says how many incidents the group holds, how many have both milestones, how many lack one
(and which milestone is missing most often), how many have the second milestone before the
first (bad data: left out of the figures, but counted), how many never had the metric recorded
(see :attr:`MetricDefinition.unrecorded_when_equal`), and the median, 90th percentile and
mean of the rest. Drills are left out unless asked for; so is an incident with a date
outside 1970–2200 (a back-dated declaration by an older version), counted in
``out_of_range``. A per-month trend gives MTTA and MTTR by the month incidents started.
Durations are in seconds.

Pure: the rows come from the Desk (``Desk.incidents.rows(include_closed=True)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.library.metrics.definitions import (
    ALL,
    EARLIEST,
    GROUPINGS,
    LATEST,
    METRIC_BY_KEY,
    METRICS,
    NO_SERVICE,
    NO_START,
    NO_TEAM,
    TREND_METRICS,
    MetricDefinition,
)
from incidentdesk.core.library.metrics.figures import (
    Measured,
    group,
    grouped,
    measure,
    out_of_range,
    per_month,
    quantile,
    trend,
)
from incidentdesk.core.library.metrics.report import (
    CSV_HEADER,
    GroupMetrics,
    MetricsReport,
    MetricStats,
    MonthCount,
    MonthTrend,
    not_recorded_sentence,
)
from incidentdesk.core.postmortem.action_tally import tally_action_items
from incidentdesk.core.timefmt import format_utc

__all__ = [
    "ALL",
    "CSV_HEADER",
    "EARLIEST",
    "GROUPINGS",
    "LATEST",
    "METRICS",
    "METRIC_BY_KEY",
    "NO_SERVICE",
    "NO_START",
    "NO_TEAM",
    "TREND_METRICS",
    "GroupMetrics",
    "MetricDefinition",
    "MetricStats",
    "MetricsReport",
    "MonthCount",
    "MonthTrend",
    "compute_metrics",
    "not_recorded_sentence",
    "quantile",
]


def compute_metrics(
    rows: Iterable[Mapping[str, Any]],
    *,
    by: str = "severity",
    since: datetime | None = None,
    until: datetime | None = None,
    include_drills: bool = False,
    service_teams: Mapping[str, str] | None = None,
    action_items: Iterable[Mapping[str, Any]] = (),
    today: date | None = None,
) -> MetricsReport:
    """Response metrics over incident-list rows (``Desk.incidents.rows(include_closed=True)``).

    Args:
        rows: dicts with ``severity``, ``services``, ``drill`` and the milestones
            ``started_at`` … ``resolved_at`` (aware datetimes or None).
        by: ``severity`` (worst first), ``service`` (an incident naming several counts in
            each; one naming none in ``(no service)``), ``team`` (the teams owning its
            services, from ``service_teams``; none known: ``(no team)``), ``month`` (UTC
            ``YYYY-MM`` of its start) or ``all``.
        since: count incidents that started at or after this moment.
        until: count incidents that started before this moment (exclusive).
        include_drills: count drills too (left out by default).
        service_teams: the owning team of each service (the service catalog's), needed to
            group by team; service names match case-insensitively.
        action_items: rows with ``incident_id``, ``status`` and ``due`` (ISO date or None);
            those of the incidents counted are tallied (``today``: for overdue; default
            the current UTC date).

    Raises:
        DomainError: an unknown grouping, ``team`` without a catalog, a time without a
            timezone, or ``since`` not before ``until``.
    """
    teams = _check_arguments(by, since, until, service_teams)
    counts = _Counts()
    counted, counted_ids = counts.select(rows, teams, since, until, include_drills)
    total = group(ALL, counted)
    months = per_month(counted, since, until)
    return MetricsReport(
        by=by,
        since=since,
        until=until,
        include_drills=include_drills,
        groups=(total,) if by == ALL else grouped(by, counted),
        total=total,
        per_month=months,
        considered=counts.considered,
        drills_excluded=counts.drills,
        outside_period=counts.outside,
        undated=counts.undated,
        actions=tally_action_items(action_items, counted_ids, today or datetime.now(UTC).date()),
        out_of_range=counts.out_of_range,
        trend=trend(counted, months),
    )


def _check_grouping(by: str) -> None:
    if by not in GROUPINGS:
        raise DomainError(f"'{by}' is not a grouping; use one of {', '.join(GROUPINGS)}.")


def _check_arguments(
    by: str, since: datetime | None, until: datetime | None, service_teams: Mapping[str, str] | None
) -> dict[str, str]:
    """The owning team by casefolded service name, once the arguments are checked."""
    _check_grouping(by)
    if by == "team" and not service_teams:
        raise DomainError(
            "Metrics by team need the service catalog (which team owns which service); "
            "import one with 'incidentdesk catalog import FILE'."
        )
    teams = {name.casefold(): team for name, team in (service_teams or {}).items()}
    for name, bound in (("since", since), ("until", until)):
        if bound is not None and bound.tzinfo is None:
            raise DomainError(f"The {name} time has no timezone; give it an offset.")
    if since is not None and until is not None and since >= until:
        raise DomainError(
            f"The period is empty: its start ({format_utc(since)}) is not before its end "
            f"({format_utc(until)})."
        )
    return teams


class _Counts:
    """The rows given, and why those not counted were left out."""

    considered = drills = outside = undated = out_of_range = 0

    def select(
        self,
        rows: Iterable[Mapping[str, Any]],
        teams: Mapping[str, str],
        since: datetime | None,
        until: datetime | None,
        include_drills: bool,
    ) -> tuple[list[Measured], set[str]]:
        """The incidents counted (measured) and their ids; the others counted by reason."""
        considered = drills = outside = undated = far_dated = 0  # locals: the hot loop
        counted: list[Measured] = []
        counted_ids: set[str] = set()
        for row in rows:
            considered += 1
            if row.get("drill") and not include_drills:
                drills += 1
                continue
            if out_of_range(row):
                far_dated += 1
                continue
            started = row.get("started_at")
            if started is None:
                if since is not None or until is not None:
                    undated += 1
                    continue
            elif (since is not None and started < since) or (
                until is not None and started >= until
            ):
                outside += 1
                continue
            counted.append(measure(row, teams))
            counted_ids.add(str(row.get("id")))
        self.considered, self.drills, self.outside = considered, drills, outside
        self.undated, self.out_of_range = undated, far_dated
        return counted, counted_ids
