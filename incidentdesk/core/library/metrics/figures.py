"""The arithmetic of a metrics report: each incident reduced to its durations, grouped,
and summed up as median, 90th percentile and mean."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incidentdesk.core.incident.severity import SEVERITIES
from incidentdesk.core.library.metrics.definitions import (
    EARLIEST,
    LATEST,
    METRICS,
    MOMENTS,
    NO_SERVICE,
    NO_START,
    NO_TEAM,
    TICK,
    TREND_METRICS,
    MetricDefinition,
)
from incidentdesk.core.library.metrics.report import (
    GroupMetrics,
    MetricStats,
    MonthCount,
    MonthTrend,
)

_SEVERITY_LEVEL = {s.code: s.level for s in SEVERITIES}
_NOT_RECORDED = ("(not recorded)",)  # a marker in Measured.values


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


def out_of_range(row: Mapping[str, Any]) -> bool:
    for name in MOMENTS:
        moment = row.get(name)
        if isinstance(moment, datetime) and not EARLIEST <= moment < LATEST:
            return True
    return False


@dataclass(frozen=True)
class Measured:
    """One incident, reduced to what the report needs."""

    severity: str
    services: tuple[str, ...]
    teams: tuple[str, ...]
    month: str
    # Per metric (METRICS order): seconds, or None with the missing milestones (none
    # missing: a negative duration; _NOT_RECORDED: both still at the declaration's default).
    values: tuple[tuple[float | None, tuple[str, ...]], ...]


def measure(row: Mapping[str, Any], teams: Mapping[str, str]) -> Measured:
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
    return Measured(
        severity=str(row.get("severity", "")),
        services=named or (NO_SERVICE,),
        teams=owners or (NO_TEAM,),
        month=_month(started) if started is not None else NO_START,
        values=tuple(values),
    )


def grouped(by: str, counted: list[Measured]) -> tuple[GroupMetrics, ...]:
    members: dict[str, list[Measured]] = {}
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
    return tuple(group(key, members[key]) for key in sorted(members, key=_order(by)))


def _order(by: str) -> Callable[[str], tuple[Any, ...]]:
    if by == "severity":
        return lambda key: (_SEVERITY_LEVEL.get(key, len(_SEVERITY_LEVEL) + 1), key)
    placeholder = {"service": NO_SERVICE, "team": NO_TEAM}.get(by, NO_START)
    return lambda key: (key == placeholder, key)  # the placeholder group last


def group(key: str, members: list[Measured]) -> GroupMetrics:
    return GroupMetrics(
        key=key,
        incidents=len(members),
        metrics=tuple(stats(m, i, members) for i, m in enumerate(METRICS)),
    )


def stats(metric: MetricDefinition, index: int, members: list[Measured]) -> MetricStats:
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
    most = max(by_milestone, key=lambda item: (item[1], -MOMENTS.index(item[0])))
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


_FIRST_MONTH, _LAST_MONTH = _month(EARLIEST), _month(LATEST - TICK)


def per_month(
    counted: list[Measured], since: datetime | None, until: datetime | None
) -> tuple[MonthCount, ...]:
    counts = Counter(i.month for i in counted if i.month != NO_START)
    first = _month(since) if since is not None else min(counts, default=None)
    last = _month(until - TICK) if until is not None else max(counts, default=None)
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


def trend(counted: list[Measured], months: tuple[MonthCount, ...]) -> tuple[MonthTrend, ...]:
    members: dict[str, list[Measured]] = {}
    for incident in counted:
        members.setdefault(incident.month, []).append(incident)
    indexes = [[m.key for m in METRICS].index(key) for key in TREND_METRICS]
    return tuple(
        MonthTrend(
            month=m.month,
            incidents=m.incidents,
            metrics=tuple(stats(METRICS[i], i, members.get(m.month, [])) for i in indexes),
        )
        for m in months
    )
