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

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import MILESTONES
from incidentdesk.core.incident.severity import SEVERITIES
from incidentdesk.core.postmortem.action_tally import ActionItemCounts, tally_action_items
from incidentdesk.core.timefmt import format_utc

GROUPINGS: tuple[str, ...] = ("severity", "service", "team", "month", "all")
ALL = "all"  # the key of the group holding every incident counted
NO_SERVICE = "(no service)"  # the service group of incidents that name none
NO_TEAM = "(no team)"  # the team group of incidents whose services no catalog team owns
NO_START = "(no start)"  # the month group of incidents whose start is unknown
_SEVERITY_LEVEL = {s.code: s.level for s in SEVERITIES}
_ORDER = (*MILESTONES, "postmortem_published_at")  # the order the moments come in
_TICK = timedelta(microseconds=1)
# Dates outside this span cannot be real incident times (a journal may still hold them from
# an older version that accepted any date): such an incident is left out, and counted.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
_NOT_RECORDED = ("(not recorded)",)  # a marker in _Measured.values


@dataclass(frozen=True)
class MetricDefinition:
    """One metric: the time from one milestone to a later one."""

    key: str
    label: str
    start: str  # the milestone it is measured from
    end: str  # the milestone it is measured to
    definition: str  # one sentence, shown beside the metric
    # Declaring an incident sets both milestones to the same moment until someone records
    # one of them: equal times are that default, not a measurement ("not recorded").
    unrecorded_when_equal: bool = False


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "time_to_detect",
        "Time to detect",
        "started_at",
        "detected_at",
        "From when the incident started (started) to when it was detected (detected).",
        unrecorded_when_equal=True,
    ),
    MetricDefinition(
        "time_to_acknowledge",
        "Time to acknowledge (MTTA)",
        "detected_at",
        "acknowledged_at",
        "From detection (detected) to a responder taking it (acknowledged), the first of a "
        "page answered, the Incident Commander role taken or the milestone recorded; "
        "its mean is the MTTA.",
    ),
    MetricDefinition(
        "time_to_mitigate",
        "Time to mitigate",
        "detected_at",
        "mitigated_at",
        "From detection (detected) to the impact being stopped (mitigated).",
    ),
    MetricDefinition(
        "time_to_resolve",
        "Time to resolve (MTTR)",
        "detected_at",
        "resolved_at",
        "From detection (detected) to resolution (resolved); its mean is the MTTR.",
    ),
    MetricDefinition(
        "time_to_postmortem",
        "Time to published post-mortem",
        "resolved_at",
        "postmortem_published_at",
        "From resolution (resolved) to its post-mortem being published (published); "
        "an incident whose post-mortem is not published yet counts as missing.",
    ),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
TREND_METRICS: tuple[str, ...] = ("time_to_acknowledge", "time_to_resolve")  # MTTA, MTTR


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


def quantile(values: Iterable[float], q: float) -> float:
    """The ``q`` quantile (0 ≤ q ≤ 1) of some values, by linear interpolation.

    The method is numpy's default (``linear``; Hyndman and Fan's type 7, also
    ``statistics.quantiles(method="inclusive")``): sort the n values x[0] ≤ … ≤ x[n-1], take
    h = (n - 1)·q, and interpolate between the closest ranks: x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋+1] -
    x[⌊h⌋]). So q = 0.5 is the usual median (the mean of the middle two for an even n), and
    the 90th percentile of [0, 10] is 9.

    Raises:
        ValueError: no values, or q outside [0, 1].
    """
    return _quantile_sorted(sorted(values), q)


def _quantile_sorted(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        raise ValueError("a quantile of no values is undefined")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    h = (len(ordered) - 1) * q
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return float(ordered[-1])
    below, above = ordered[low], ordered[low + 1]
    value = below + (h - low) * (above - below)
    # Rounding must not take it past its neighbours (the quantiles stay ordered).
    return float(min(max(value, below), above))


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
    considered = drills = outside = undated = out_of_range = 0
    counted: list[_Measured] = []
    counted_ids: set[str] = set()
    for row in rows:
        considered += 1
        if row.get("drill") and not include_drills:
            drills += 1
            continue
        if _out_of_range(row):
            out_of_range += 1
            continue
        started = row.get("started_at")
        if started is None:
            if since is not None or until is not None:
                undated += 1
                continue
        elif (since is not None and started < since) or (until is not None and started >= until):
            outside += 1
            continue
        counted.append(_measure(row, teams))
        counted_ids.add(str(row.get("id")))
    total = _group(ALL, counted)
    groups = (total,) if by == ALL else _grouped(by, counted)
    per_month = _per_month(counted, since, until)
    return MetricsReport(
        by=by,
        since=since,
        until=until,
        include_drills=include_drills,
        groups=groups,
        total=total,
        per_month=per_month,
        considered=considered,
        drills_excluded=drills,
        outside_period=outside,
        undated=undated,
        actions=tally_action_items(action_items, counted_ids, today or datetime.now(UTC).date()),
        out_of_range=out_of_range,
        trend=_trend(counted, per_month),
    )


def _out_of_range(row: Mapping[str, Any]) -> bool:
    for name in _ORDER:
        moment = row.get(name)
        if isinstance(moment, datetime) and not EARLIEST <= moment < LATEST:
            return True
    return False


def _check_grouping(by: str) -> None:
    if by not in GROUPINGS:
        raise DomainError(f"'{by}' is not a grouping; use one of {', '.join(GROUPINGS)}.")


@dataclass(frozen=True)
class _Measured:
    """One incident, reduced to what the report needs."""

    severity: str
    services: tuple[str, ...]
    teams: tuple[str, ...]
    month: str
    # Per metric (METRICS order): seconds, or None with the missing milestones (none
    # missing: a negative duration; _NOT_RECORDED: both still at the declaration's default).
    values: tuple[tuple[float | None, tuple[str, ...]], ...]


def _measure(row: Mapping[str, Any], teams: Mapping[str, str]) -> _Measured:
    values: list[tuple[float | None, tuple[str, ...]]] = []
    for m in METRICS:
        start: datetime | None = row.get(m.start)
        end: datetime | None = row.get(m.end)
        if start is None or end is None:
            missing = tuple(name for name, at in ((m.start, start), (m.end, end)) if at is None)
            values.append((None, missing))
        elif m.unrecorded_when_equal and start == end:
            values.append((None, _NOT_RECORDED))
        else:
            seconds = (end - start).total_seconds()
            values.append((seconds if seconds >= 0 else None, ()))
    started = row.get("started_at")
    named = tuple(dict.fromkeys(row.get("services") or ()))
    owners = tuple(dict.fromkeys(teams[s.casefold()] for s in named if s.casefold() in teams))
    return _Measured(
        severity=str(row.get("severity", "")),
        services=named or (NO_SERVICE,),
        teams=owners or (NO_TEAM,),
        month=_month(started) if started is not None else NO_START,
        values=tuple(values),
    )


def _grouped(by: str, counted: list[_Measured]) -> tuple[GroupMetrics, ...]:
    members: dict[str, list[_Measured]] = {}
    for incident in counted:
        keys: Sequence[str]
        if by == "severity":
            keys = (incident.severity,)
        elif by == "service":
            keys = incident.services
        elif by == "team":
            keys = incident.teams
        else:
            keys = (incident.month,)
        for key in keys:
            members.setdefault(key, []).append(incident)
    return tuple(_group(key, members[key]) for key in sorted(members, key=_order(by)))


def _order(by: str) -> Callable[[str], tuple[Any, ...]]:
    if by == "severity":
        return lambda key: (_SEVERITY_LEVEL.get(key, len(_SEVERITY_LEVEL) + 1), key)
    placeholder = {"service": NO_SERVICE, "team": NO_TEAM}.get(by, NO_START)
    return lambda key: (key == placeholder, key)  # the placeholder group last


def _group(key: str, members: list[_Measured]) -> GroupMetrics:
    return GroupMetrics(
        key=key,
        incidents=len(members),
        metrics=tuple(_stats(m, i, members) for i, m in enumerate(METRICS)),
    )


def _stats(metric: MetricDefinition, index: int, members: list[_Measured]) -> MetricStats:
    values: list[float] = []
    lacking: Counter[str] = Counter()
    missing = negative = unrecorded = 0
    for incident in members:
        value, absent = incident.values[index]
        if value is not None:
            values.append(value)
        elif absent == _NOT_RECORDED:
            unrecorded += 1
        elif absent:
            missing += 1
            lacking.update(absent)
        else:
            negative += 1
    values.sort()
    by_milestone = ((metric.start, lacking[metric.start]), (metric.end, lacking[metric.end]))
    most = max(by_milestone, key=lambda item: (item[1], -_ORDER.index(item[0])))
    return MetricStats(
        metric=metric.key,
        incidents=len(members),
        measured=len(values),
        missing=missing,
        missing_by_milestone=by_milestone,
        most_missing=most[0] if most[1] else None,
        negative=negative,
        median=_quantile_sorted(values, 0.5) if values else None,
        p90=_quantile_sorted(values, 0.9) if values else None,
        mean=math.fsum(values) / len(values) if values else None,
        not_recorded=unrecorded,
    )


def _month(moment: datetime) -> str:
    # Not strftime: "%Y" writes year 1 as "1", not "0001".
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


_FIRST_MONTH, _LAST_MONTH = _month(EARLIEST), _month(LATEST - _TICK)


def _per_month(
    counted: list[_Measured], since: datetime | None, until: datetime | None
) -> tuple[MonthCount, ...]:
    counts = Counter(i.month for i in counted if i.month != NO_START)
    first = _month(since) if since is not None else min(counts, default=None)
    last = _month(until - _TICK) if until is not None else max(counts, default=None)
    first, last = first or last, last or first
    if first is None or last is None:
        return ()
    # A period reaching past the dates an incident can have lists only the months it can.
    first, last = max(first, _FIRST_MONTH), min(last, _LAST_MONTH)
    year, month = int(first[:4]), int(first[5:])
    result = []
    while (key := f"{year:04d}-{month:02d}") <= last:
        result.append(MonthCount(key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(result)


def _trend(counted: list[_Measured], months: tuple[MonthCount, ...]) -> tuple[MonthTrend, ...]:
    members: dict[str, list[_Measured]] = {}
    for incident in counted:
        members.setdefault(incident.month, []).append(incident)
    indexes = [[m.key for m in METRICS].index(key) for key in TREND_METRICS]
    return tuple(
        MonthTrend(
            month=m.month,
            incidents=m.incidents,
            metrics=tuple(_stats(METRICS[i], i, members.get(m.month, [])) for i in indexes),
        )
        for m in months
    )
