"""``incidentdesk search QUERY`` and ``incidentdesk archive export|import FILE``: the
incident library."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.cli.commands import COMMAND_BY_NAME
from incidentdesk.cli.common import short_id_length
from incidentdesk.core.library.search import SearchHit, emphasise
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import format_utc

if TYPE_CHECKING:  # the Desk pulls in SQLAlchemy: the parsers are built without it
    from incidentdesk.app.desk import Desk


def add_library_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Add ``search`` and ``archive`` to the subcommands (as :mod:`incidentdesk.cli.main`
    does from its table)."""
    for name in ("search", "archive"):
        COMMAND_BY_NAME[name].add_to(sub, parents)


def search_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+", metavar="QUERY", help="what to look for")
    p.add_argument(
        "--limit", type=int, default=100, metavar="N", help="at most N hits (default 100)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")


def archive_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("export", "import"),
        help="export: write every event to FILE; import: add FILE's events (checked first; "
        "those already here are skipped)",
    )
    p.add_argument("file", metavar="FILE")


def run_search(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk search QUERY``: one line per hit, best first."""
    hits = desk.incidents.search(" ".join(args.query), limit=max(args.limit, 0))
    if args.json:
        json.dump([search_json(h) for h in hits], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not hits:
        print("No matches.", file=out)
        return 0
    width = short_id_length(h.incident_id for h in hits)
    for hit in hits:
        # A snippet may span lines; a hit stays on one (same length, so the spans hold).
        snippet = "".join(" " if c in "\n\t\r" else c for c in hit.snippet)
        found = emphasise(snippet, hit.highlights, "**", "**")
        where = found if hit.event_id == hit.incident_id else f"{hit.title} — {found}"
        print(f"{hit.incident_id[:width]}  {hit.severity}  {where}", file=out)
    return 0


def search_json(hit: SearchHit) -> dict[str, Any]:
    """One element of the stable ``search --json`` list."""
    return {
        "incident_id": hit.incident_id,
        "event_id": hit.event_id,
        "title": hit.title,
        "severity": hit.severity,
        "status": hit.status,
        "started_at": None if hit.started_at is None else format_utc(hit.started_at),
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
    }


def run_archive(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk archive export|import FILE``."""
    from incidentdesk.app.archive import MAX_PROBLEMS, export_archive, import_archive

    path = Path(args.file)
    if args.action == "export":
        count = export_archive(desk, path)
        print(f"Exported {counted(count, 'event')} to {path}.", file=out)
        return 0
    result = import_archive(desk, path)
    for problem in result.problems[:MAX_PROBLEMS]:
        print(f"{path}: {problem}", file=out)
    if len(result.problems) > MAX_PROBLEMS:
        print(f"{path}: and {len(result.problems) - MAX_PROBLEMS} more line(s).", file=out)
    if result.quarantined:
        print(
            f"{result.quarantined} line(s) could not be read: kept aside, never applied "
            "(incidentdesk sync --quarantined lists them).",
            file=out,
        )
    if result.added == 0:
        were = "was" if result.skipped == 1 else "were"
        print(
            f"Nothing new in {path}: its {counted(result.skipped, 'event')} {were} already here.",
            file=out,
        )
    else:
        print(
            f"Imported {counted(result.added, 'event')} into "
            f"{counted(len(result.incidents), 'incident')} "
            f"from {path} ({result.skipped} already here).",
            file=out,
        )
    return 0
