"""``incidentdesk declare | incidents | show | timeline``: declaring and reading incidents.

The ``--json`` documents (:func:`incident_json`, :func:`show_json`, :func:`timeline_json`)
are stable: scripts read them.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.cli.common import (
    at_flag,
    dump,
    dump_list,
    iso,
    json_flag,
    short_id_length,
    when,
)
from incidentdesk.core.incident.lifecycle import MILESTONES, STATUS_LABELS
from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES
from incidentdesk.core.incident.severity import UNSURE_RULE, severity
from incidentdesk.core.journal.provenance import shown_recorder
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_duration, format_utc, utc_now

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk
    from incidentdesk.core.incident.timeline import TimelineEntry
    from incidentdesk.core.journal.fold import IncidentState


def declare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("title")
    p.add_argument(
        "--severity", required=True, metavar="SEV1..SEV5", help=f"SEV1 is the worst. {UNSURE_RULE}"
    )
    p.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="NAME",
        help="an affected service (repeatable)",
    )
    p.add_argument("--bridge", default="", metavar="URL", help="the bridge (meeting) link")
    p.add_argument("--impact", default="", metavar="TEXT", help="what customers notice")
    at_flag(p, "it started")


def run_declare(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    incident_id = desk.incidents.declare(
        args.title, args.severity, args.service, when(args.at), args.bridge, args.impact
    )
    print(incident_id, file=out)
    return 0


def incidents_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="include closed incidents")
    json_flag(p)


def run_incidents(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    rows = desk.incidents.rows(include_closed=args.all)
    now = utc_now()
    if args.json:
        dump([incident_json(r, now) for r in rows], out)
        return 0
    if not rows:
        print(
            "No incidents." if args.all else "No open incidents (--all shows closed ones).",
            file=out,
        )
        return 0
    width = short_id_length(r["id"] for r in rows)
    for r in rows:
        end = r["resolved_at"] or now
        duration = format_duration(end - r["started_at"]) if r["started_at"] else "-"
        print(
            f"{r['id'][:width]}  {r['severity']}  {r['status']:<13} {duration:>8}  "
            f"{reveal(r['title'])}",
            file=out,
        )
    return 0


def incident_json(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One element of the stable ``incidents --json`` list."""
    started, resolved = row["started_at"], row["resolved_at"]
    return {
        "id": row["id"],
        "title": row["title"],
        "severity": row["severity"],
        "status": row["status"],
        "services": row["services"],
        "commander": row["commander"],
        "started_at": iso(started),
        "resolved_at": iso(resolved),
        "drill": row["drill"],
        "duration_seconds": int(((resolved or now) - started).total_seconds()) if started else None,
        "event_count": row["event_count"],
    }


def show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    json_flag(p)


def run_show(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    state = desk.incidents.get(args.id)
    if args.json:
        dump(show_json(state), out)
        return 0
    sev = severity(state.severity)
    lines = [
        reveal(state.title),
        f"  id        {state.id}",
        f"  severity  {sev.code}{' (major)' if sev.major else ''}",
        f"  status    {STATUS_LABELS[state.status]}",
        f"  services  {reveal(', '.join(state.services)) or '-'}",
        f"  bridge    {reveal(state.bridge) or '-'}",
        f"  impact    {reveal(state.impact) or '-'}",
        "  milestones",
    ]
    for name in MILESTONES:
        moment = state.milestones.get(name)
        lines.append(f"    {name.removesuffix('_at'):<13}{format_utc(moment) if moment else '-'}")
    lines.append("  roles")
    for role in ROLES:
        holders = reveal(", ".join(state.holders(role.key))) or "-"
        shadow = state.shadows.get(role.key)
        extra = f" (shadow: {reveal(shadow.person)})" if shadow else ""
        lines.append(f"    {role.label:<23}{holders}{extra}")
    print("\n".join(lines), file=out)
    return 0


def show_json(state: IncidentState) -> dict[str, Any]:
    """The stable ``show --json`` document."""
    return {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "major": severity(state.severity).major,
        "status": state.status,
        "services": state.services,
        "bridge": state.bridge or None,
        "impact": state.impact or None,
        "declared_by": state.declared_by,
        "drill": state.drill,
        "milestones": {m: iso(state.milestones.get(m)) for m in MILESTONES},
        "roles": {
            key: [{"person": h.person, "since": iso(h.since)} for h in state.roles.get(key, [])]
            for key in ROLE_BY_KEY
        },
        "shadows": {
            key: {"person": h.person, "since": iso(h.since)} for key, h in state.shadows.items()
        },
        "event_count": state.event_count,
    }


timeline_arguments = show_arguments  # the incident's id, and --json


def run_timeline(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    entries = desk.incidents.timeline(args.id)
    if args.json:  # one line per entry: 100,000 entries are a script's everyday input
        dump_list(map(timeline_json, entries), out)
        return 0
    known = desk.catalog.identities()
    for entry in entries:
        e = entry.event
        pin = "*" if entry.pinned else " "
        # Plain output reveals hidden characters (core.text.reveal); --json keeps them raw.
        text = reveal(entry.text).replace("\n", "\n" + " " * 40)
        recorder = shown_recorder(e, known)
        if recorder is not None:
            text += f"  (recorded by {reveal(recorder)})"
        author = reveal(e.author)
        print(f"{format_utc(e.occurred_at):<26}{pin} {author[:12]:<12} {text}", file=out)
    return 0


def timeline_json(entry: TimelineEntry) -> dict[str, Any]:
    """One element of the stable ``timeline --json`` list."""
    e = entry.event
    return {
        "id": e.id,
        "kind": e.kind,
        "occurred_at": format_utc(e.occurred_at),
        "author": e.author,
        "text": entry.text,
        "original_text": entry.original_text,
        "pinned": entry.pinned,
        "payload": e.payload,
        # What the shared server stamped (null until the event has been through it).
        "recorded_by": e.recorded_by,
        "received_at": None if e.received_at is None else format_utc(e.received_at),
    }
