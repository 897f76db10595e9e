"""The ``metrics`` command: response times over the incident library, as a table, JSON or CSV.

``incidentdesk metrics [--since DATE] [--until DATE] [--by severity|service|team|month|all]
[--include-drills] [--json|--csv]``. The figures come from :mod:`incidentdesk.core.library.metrics`.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, TextIO

from incidentdesk.cli.commands import COMMAND_BY_NAME
from incidentdesk.core.errors import DomainError
from incidentdesk.core.library.metrics import (
    ALL,
    GROUPINGS,
    METRIC_BY_KEY,
    METRICS,
    TREND_METRICS,
    MetricsReport,
    MetricStats,
    compute_metrics,
    not_recorded_sentence,
)
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import FUTURE_SLACK, format_duration, format_utc, parse_when

if TYPE_CHECKING:  # the Desk pulls in SQLAlchemy
    from incidentdesk.app.desk import Desk

NO_VALUE = "—"
NOT_RECORDED = "not recorded"
# A period bound may be in the future (say, the end of this quarter): parse_when's refusal
# of future times is for events, so it gets a "now" it can never pass.
_NO_FUTURE_LIMIT = datetime.max.replace(tzinfo=UTC) - FUTURE_SLACK
_BAR_WIDTH = 40


def add_metrics_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """Add the ``metrics`` subcommand to ``sub`` (as :mod:`incidentdesk.cli.main` does from
    its table); returns its parser."""
    return COMMAND_BY_NAME["metrics"].add_to(sub, parents)


def metrics_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--since",
        metavar="DATE",
        help="count incidents that started on or after this date or date-time "
        "(without an offset: local time)",
    )
    p.add_argument(
        "--until",
        metavar="DATE",
        help="count incidents that started up to the end of this date, or before this "
        "date-time (without an offset: local time)",
    )
    p.add_argument(
        "--by",
        default="severity",
        choices=GROUPINGS,
        help="how to group the incidents (default: severity); an incident with several "
        "services counts in each",
    )
    p.add_argument(
        "--include-drills", action="store_true", help="count drills too (left out by default)"
    )
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument("--csv", action="store_true", help="one row per group and metric")


def run_metrics(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk metrics``: print the report; returns the exit code."""
    since = parse_bound(args.since, "since") if args.since else None
    until = parse_bound(args.until, "until") if args.until else None
    if since is not None and until is not None and since >= until:
        raise DomainError(
            f"--since {args.since} is not before --until {args.until}; no incident can match."
        )
    report = compute_metrics(
        desk.incidents.rows(include_closed=True),
        by=args.by,
        since=since,
        until=until,
        include_drills=args.include_drills,
        service_teams=desk.catalog.service_teams() if args.by == "team" else None,
        action_items=desk.action_items.rows(),
    )
    if args.json:
        json.dump(report.as_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.csv:
        csv.writer(out, lineterminator="\n").writerows(report.as_csv_rows())
    else:
        out.write(render_table(report))
    return 0


def parse_bound(text: str, option: str, local_tz: tzinfo | None = None) -> datetime:
    """A ``--since``/``--until`` value as an aware UTC datetime, read by the
    ``core.timefmt`` rules (no offset: local time).

    A date alone means the start of that day for ``since``, and the start of the next day
    for ``until`` (the period includes the whole day; ``until`` is exclusive).

    Raises:
        DomainError: not an ISO 8601 date or date-time; the message names the value.
    """
    raw = text.strip()
    try:
        day: date | None = date.fromisoformat(raw)
    except ValueError:
        day = None
    try:
        if day is not None and option == "until":
            try:
                raw = (day + timedelta(days=1)).isoformat()
            except OverflowError:
                raise DomainError(
                    f"'{text}' is the last day there is; leave --until out instead."
                ) from None
        return parse_when(raw, now=_NO_FUTURE_LIMIT, local_tz=local_tz, event=False)
    except DomainError as exc:
        raise DomainError(f"--{option}: {exc}") from None


def render_table(report: MetricsReport) -> str:
    """The readable report: a table per metric with its definition, then incidents per
    month and the MTTA and MTTR of each month."""
    lines = [_headline(report)]
    if report.counted == 0:
        return "\n".join([*lines, "No incidents to measure."]) + "\n"
    title = "group" if report.by == ALL else report.by
    groups = report.groups if report.by == ALL else (*report.groups, report.total)
    for index, metric in enumerate(METRICS):
        lines += ["", f"{metric.label} — {metric.definition}"]
        stats = [(g.key, g.metrics[index]) for g in groups]
        header = [title, "incidents", "measured", "median", "p90", "mean", "missing"]
        negatives = any(s.negative for _, s in stats)
        if negatives:
            header.append("negative (left out)")
        table = [header] + [_row(key, s, negatives) for key, s in stats]
        lines += _aligned(table, right={1, 2, 3, 4, 5})
        if note := not_recorded_sentence(report.total.metrics[index]):
            lines.append(f"  {note}")
    lines += ["", "missing: incidents lacking a milestone (in brackets: the one most often)."]
    lines += ["", report.actions.sentence()]
    if report.per_month:
        lines += ["", "Incidents per month (UTC, by start)"]
        peak = max(m.incidents for m in report.per_month) or 1
        for m in report.per_month:
            bar = "#" * max(1 if m.incidents else 0, round(_BAR_WIDTH * m.incidents / peak))
            lines.append(f"  {m.month}  {m.incidents:>4}  {bar}".rstrip())
    if any(m.incidents for m in report.trend):
        lines += ["", "MTTA and MTTR by month (UTC, by start; the mean, and n: incidents measured)"]
        header = ["month", "incidents"]
        for key in TREND_METRICS:
            header += [_short(key), "n"]
        table = [header]
        for t in report.trend:
            row = [t.month, str(t.incidents)]
            for key in TREND_METRICS:
                month_stats = t.metric(key)
                row += [_duration(month_stats.mean), str(month_stats.measured)]
            table.append(row)
        lines += _aligned(table, right=set(range(1, len(header))))
    return "\n".join(lines) + "\n"


def _short(metric: str) -> str:
    """``MTTA`` from ``Time to acknowledge (MTTA)``."""
    label = METRIC_BY_KEY[metric].label
    return label[label.index("(") + 1 : -1] if label.endswith(")") else label


def _headline(report: MetricsReport) -> str:
    how = "all together" if report.by == ALL else f"by {report.by}"
    parts = [f"Incident metrics {how}: {counted(report.counted, 'incident')} counted"]
    if report.drills_excluded:
        drills = counted(report.drills_excluded, "drill")
        parts.append(f"{drills} left out (--include-drills counts them)")
    if report.outside_period:
        parts.append(f"{report.outside_period} outside the period")
    if report.undated:
        parts.append(f"{report.undated} without a start time")
    line = "; ".join(parts) + "."
    if report.out_of_range:
        line += f"\n{report.out_of_range_note()}"
    if report.since or report.until:
        start = format_utc(report.since) if report.since else "the beginning"
        end = f"before {format_utc(report.until)}" if report.until else "now"
        line += f"\nPeriod: incidents that started from {start} to {end}."
    return line


def _row(key: str, s: MetricStats, negatives: bool) -> list[str]:
    missing = f"{s.missing} ({s.most_missing.removesuffix('_at')})" if s.most_missing else "0"
    figures = (s.median, s.p90, s.mean)
    shown = [NOT_RECORDED, "", ""] if s.unrecorded else [_duration(v) for v in figures]
    row = [key, str(s.incidents), str(s.measured), *shown, missing]
    if negatives:
        row.append(str(s.negative))
    return row


def _duration(seconds: float | None) -> str:
    return NO_VALUE if seconds is None else format_duration(timedelta(seconds=seconds))


def _aligned(table: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for row in table:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines
