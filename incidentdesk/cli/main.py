"""The ``incidentdesk`` command: the desktop app by default, scripting subcommands otherwise.

Errors are one sentence on stderr and a non-zero exit (1: refused, 2: bad usage); a bad
input never produces a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk import __version__
from incidentdesk.cli import catalog as cli_catalog
from incidentdesk.cli import escalation as cli_escalation
from incidentdesk.cli import links as cli_links
from incidentdesk.cli import postmortem as cli_postmortem
from incidentdesk.cli.library import add_library_parsers, run_archive, run_search
from incidentdesk.cli.metrics import add_metrics_parser, run_metrics
from incidentdesk.core.errors import DomainError, UserError
from incidentdesk.core.incident.lifecycle import MILESTONES, STATUS_LABELS, STATUSES
from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES
from incidentdesk.core.incident.severity import UNSURE_RULE, severity
from incidentdesk.core.incident.timeline import TimelineEntry
from incidentdesk.core.journal.events import NOTE_KINDS
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.provenance import shown_recorder
from incidentdesk.core.plural import counted
from incidentdesk.core.postmortem.action_text import DUE_FORMS
from incidentdesk.core.text import reveal
from incidentdesk.core.timefmt import format_duration, format_utc, parse_when, utc_now
from incidentdesk.infra import logs
from incidentdesk.infra.config import (
    DEFAULT_PROFILE,
    ENV_PROFILE,
    Profile,
    ProfileLocation,
    list_profiles,
    prepare_data_dir,
    prepare_profile,
    resolve_profile,
)

if TYPE_CHECKING:  # the Desk pulls in SQLAlchemy: imported only when a command needs it
    from incidentdesk.app.desk import Desk

Handler = Callable[[argparse.Namespace, "Desk", TextIO], int]
EXIT_REFUSED = 1
log = logging.getLogger(__name__)


def _global_options() -> argparse.ArgumentParser:
    # SUPPRESS lets the options appear before or after the subcommand without clobbering.
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the data folder (default: $INCIDENTDESK_HOME, else the platform's); it holds "
        "the default profile, and named profiles in its profiles/ folder",
    )
    parent.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"use this profile (default: ${ENV_PROFILE}, else '{DEFAULT_PROFILE}'); "
        "`incidentdesk profiles` lists them",
    )
    parent.add_argument(
        "--as",
        dest="author",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="record as this person (default: the configured name, else the OS user)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    common = _global_options()
    parser = argparse.ArgumentParser(
        prog="incidentdesk",
        description="The incident commander's desktop. With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"incidentdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output")

    def at_flag(p: argparse.ArgumentParser, when: str) -> None:
        p.add_argument(
            "--at",
            metavar="ISO8601",
            help=f"when {when} (without an offset: local time; stored as UTC)",
        )

    p = add("declare", "Declare an incident and print its id.")
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

    p = add("incidents", "List incidents, active first.")
    p.add_argument("--all", action="store_true", help="include closed incidents")
    json_flag(p)

    p = add("show", "Show an incident: severity, status, milestones, services, roles.")
    p.add_argument("id")
    json_flag(p)

    p = add("note", "Add a timeline entry and print its id.")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument(
        "--kind",
        default="note",
        choices=NOTE_KINDS,
        help="an action is also a tracked action item (owner and due date may be in the "
        "text: 'Bob: roll back by Friday')",
    )
    p.add_argument("--owner", metavar="NAME", help="the action item's owner (--kind action)")
    p.add_argument(
        "--due",
        metavar="WHEN",
        help=f"the action item's due date (--kind action): {DUE_FORMS}",
    )
    p.add_argument("--pin", action="store_true", help="pin the entry")
    at_flag(p, "it happened")

    p = add("role", "Assign a role (a handover when it is held) or release it.")
    p.add_argument("id")
    p.add_argument("role", help=", ".join(r.key for r in ROLES))
    p.add_argument("person", nargs="?")
    p.add_argument("--release", action="store_true", help="release the role")
    p.add_argument("--shadow", action="store_true", help="attach (or release) a shadow")

    p = add("severity", "Change an incident's severity.")
    p.add_argument("id")
    p.add_argument("severity", metavar="SEVn")

    p = add("status", "Change an incident's status: " + " → ".join(STATUSES) + ".")
    p.add_argument("id")
    p.add_argument("status")
    at_flag(p, "it happened")

    p = add(
        "milestone",
        "Record when a milestone happened: "
        + ", ".join(m.removesuffix("_at") for m in MILESTONES)
        + ".",
    )
    p.add_argument("id")
    p.add_argument("milestone")
    at_flag(p, "it happened")

    p = add("correct", "Correct a note (the original is kept).")
    p.add_argument("id")
    p.add_argument("entry", help="the note's id or a unique prefix")
    p.add_argument("text")

    for name, verb in (("pin", "Pin"), ("unpin", "Unpin")):
        p = add(name, f"{verb} a timeline entry.")
        p.add_argument("id")
        p.add_argument("entry", help="the entry's id or a unique prefix")

    p = add("drill", "Mark an incident as a drill (left out of the metrics), or --off.")
    p.add_argument("id")
    p.add_argument("--off", action="store_true", help="it is a real incident after all")

    p = add("timeline", "Print an incident's timeline in the order things happened.")
    p.add_argument("id")
    json_flag(p)

    add(
        "demo",
        "Seed a realistic demo incident, marked as a drill so it stays out of the metrics, "
        "and print its id. A profile with no service catalog gets the demo's catalog too.",
    )

    p = add("db", "Maintain the local database (or, with --shared, the shared one).")
    p.add_argument("action", choices=("upgrade", "check", "rebuild"))
    p.add_argument(
        "--shared",
        action="store_true",
        help="upgrade: create or upgrade the shared PostgreSQL schema",
    )

    p = add("connect", "Connect this profile to a shared PostgreSQL database.")
    p.add_argument("url", metavar="postgresql://USER@HOST[:PORT]/DB")
    p.add_argument(
        "--sslmode",
        default="prefer",
        choices=("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    )
    p.add_argument("--sslrootcert", metavar="FILE", help="CA certificate for verify-ca/-full")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of asking",
    )

    add("disconnect", "Forget the shared database (and its password) for this profile.")

    p = add("sync", "Push and pull once; or show the sync state.")
    p.add_argument("--status", action="store_true", help="show the state instead of syncing")
    p.add_argument(
        "--quarantined",
        action="store_true",
        help="list the events from the shared database or archives that could not be read",
    )
    p.add_argument(
        "--retry-refused",
        action="store_true",
        help="send again the events the shared database refused (once its rule or clock is fixed)",
    )
    json_flag(p)

    p = add("screenshot", "Render the window offscreen with real data and save a PNG.")
    p.add_argument("out", metavar="OUT.png")
    p.add_argument("--incident", metavar="ID", help="the incident to show (default: the last)")
    p.add_argument(
        "--panel",
        default="window",
        help="window, incidents, command, header, roles, escalation, timeline, quick-entry, "
        "declare, update, library, metrics, catalog or postmortem",
    )
    p.add_argument("--size", default="1400x900", metavar="WxH")
    p.add_argument("--theme", default="light", choices=("light", "dark"))

    add_metrics_parser(sub, [common])
    add_library_parsers(sub, [common])
    for module in EXTENSIONS:
        module.add_parsers(sub, [common])

    p = add("profiles", "List the profiles (each has its own data), or create one.")
    p.add_argument("action", nargs="?", default="list", choices=("list", "create"))
    p.add_argument("name", nargs="?", help="create: the new profile's name")
    json_flag(p)

    p = add("config", "Show or set the profile's settings.")
    p.add_argument(
        "setting",
        choices=("name", "due-days"),
        help="name: your name in the journal; due-days: days until a new action item is due "
        "by severity, such as SEV1=7,SEV2=14",
    )
    p.add_argument("value", nargs="?")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        location = resolve_profile(getattr(args, "data_dir", None), getattr(args, "profile", None))
        if args.command is None:
            return _run_app(args, location)
        if getattr(args, "no_desk", False):  # such as `postmortem lint`: no profile, no database
            return HANDLERS[args.command](args, None, out)  # type: ignore[arg-type]
        logs.setup("cli", location.name, location.base if location.base_chosen else None)
        if args.command == "profiles":
            return _profiles(args, location, out)
        data_dir = prepare_profile(location)
        profile = Profile.load(data_dir)
        if args.command == "config":
            return _config(args, profile, out)
        if args.command == "screenshot":
            return _screenshot(args, data_dir, out)
        if args.command in ("connect", "disconnect"):
            from incidentdesk.cli.common import connect, disconnect

            if args.command == "connect":
                return connect(args, profile, out)
            return disconnect(profile, out)
        from incidentdesk.app.desk import Desk

        desk = Desk.open(data_dir, getattr(args, "author", None) or profile.author())
        desk.action_items.due_days = profile.due_days
        try:
            return HANDLERS[args.command](args, desk, out)
        finally:
            desk.close()
    except UserError as exc:
        print(f"incidentdesk: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (say, `| head`) went away: not an error. Silence the flush at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        # A bug: the traceback still goes to stderr, and to the log for the bug report.
        log.exception("incidentdesk %s failed unexpectedly", args.command or "(app)")
        raise


def _run_app(args: argparse.Namespace, location: ProfileLocation) -> int:
    from incidentdesk.ui.shell.app import run_app  # Qt is imported only when the app opens

    return run_app(location, getattr(args, "author", None))


def _profiles(args: argparse.Namespace, location: ProfileLocation, out: TextIO) -> int:
    if args.action == "create":
        if not args.name:
            raise UserError("Name the profile to create: incidentdesk profiles create NAME.")
        new = location.with_name(args.name)
        if new.is_default or new.exists():
            raise UserError(f"The profile '{new.name}' exists already ({new.data_dir}).")
        print(prepare_profile(new, create=True), file=out)
        return 0
    if args.name:
        raise UserError("`profiles` lists the profiles; to make one: profiles create NAME.")
    names = list_profiles(prepare_data_dir(location.base, location.base_chosen))
    if location.name not in names:  # the one in use, even before its first write
        names.insert(0 if location.is_default else len(names), location.name)
    rows = [location.with_name(name) for name in names]
    if args.json:
        _dump(
            [
                {
                    "name": row.name,
                    "path": str(row.data_dir),
                    "in_use": row.name == location.name,
                    "has_database": row.has_database(),
                }
                for row in rows
            ],
            out,
        )
        return 0
    width = max(len(row.name) for row in rows)
    for row in rows:
        mark = "*" if row.name == location.name else " "
        note = "" if row.has_database() else "  (not used yet)"
        print(f"{mark} {row.name:<{width}}  {row.data_dir}{note}", file=out)
    return 0


def _screenshot(args: argparse.Namespace, data_dir: Any, out: TextIO) -> int:
    from pathlib import Path

    from incidentdesk.ui.shell.screenshot import parse_size, take_screenshot

    size = parse_size(args.size)
    path = take_screenshot(data_dir, Path(args.out), args.incident, args.panel, size, args.theme)
    print(path, file=out)
    return 0


def _when(text: str | None) -> datetime | None:
    return None if text is None else parse_when(text, now=utc_now())


def _config(args: argparse.Namespace, profile: Profile, out: TextIO) -> int:
    if args.setting == "due-days":
        if args.value is not None:
            from incidentdesk.infra.config import parse_due_days

            profile.due_days = {**profile.due_days, **parse_due_days(args.value, "due-days")}
            profile.save()
        days = ", ".join(f"{code}={n}" for code, n in sorted(profile.due_days.items()))
        print(f"New action items are due in days, by severity: {days}", file=out)
        return 0
    if args.value is None:
        print(profile.name or f"(not set; using {profile.author()})", file=out)
        return 0
    from incidentdesk.core.text import clean_name

    profile.name = clean_name(args.value, "name")
    profile.save()
    print(f"Your name is now {profile.name}.", file=out)
    return 0


# ------------------------------------------------------------------------ handlers


def _declare(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    incident_id = desk.incidents.declare(
        args.title, args.severity, args.service, _when(args.at), args.bridge, args.impact
    )
    print(incident_id, file=out)
    return 0


def _incidents(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    rows = desk.incidents.rows(include_closed=args.all)
    now = utc_now()
    if args.json:
        _dump([_incident_json(r, now) for r in rows], out)
        return 0
    if not rows:
        print(
            "No incidents." if args.all else "No open incidents (--all shows closed ones).",
            file=out,
        )
        return 0
    width = short_id_length([r["id"] for r in rows])
    for r in rows:
        end = r["resolved_at"] or now
        duration = format_duration(end - r["started_at"]) if r["started_at"] else "-"
        print(
            f"{r['id'][:width]}  {r['severity']}  {r['status']:<13} {duration:>8}  "
            f"{reveal(r['title'])}",
            file=out,
        )
    return 0


def short_id_length(ids: list[str], minimum: int = 8) -> int:
    """The fewest leading characters that tell these ids apart (ids made in the same
    moment share their time-ordered start)."""
    length = minimum
    while length < 36 and len({i[:length] for i in ids}) < len(ids):
        length += 1
    return length


def _incident_json(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    started, resolved = row["started_at"], row["resolved_at"]
    return {
        "id": row["id"],
        "title": row["title"],
        "severity": row["severity"],
        "status": row["status"],
        "services": row["services"],
        "commander": row["commander"],
        "started_at": _iso(started),
        "resolved_at": _iso(resolved),
        "drill": row["drill"],
        "duration_seconds": int(((resolved or now) - started).total_seconds()) if started else None,
        "event_count": row["event_count"],
    }


def _show(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    state = desk.incidents.get(args.id)
    data = show_json(state)
    if args.json:
        _dump(data, out)
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
        "milestones": {m: _iso(state.milestones.get(m)) for m in MILESTONES},
        "roles": {
            key: [{"person": h.person, "since": _iso(h.since)} for h in state.roles.get(key, [])]
            for key in ROLE_BY_KEY
        },
        "shadows": {
            key: {"person": h.person, "since": _iso(h.since)} for key, h in state.shadows.items()
        },
        "event_count": state.event_count,
    }


def _note(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.kind != "action":
        if args.owner is not None or args.due is not None:
            raise DomainError("--owner and --due are for an action item: add --kind action.")
        print(
            desk.incidents.add_note(args.id, args.text, args.kind, _when(args.at), args.pin),
            file=out,
        )
        return 0
    added = desk.action_items.add_action(
        args.id,
        args.text,
        owner=args.owner or "",
        due=args.due,
        at=_when(args.at),
        pinned=args.pin,
    )
    print(added.note_id, file=out)  # the entry's id, as for every note
    if added.parsed.notice:  # a due phrase it did not understand stays in the text
        print(f"incidentdesk: {added.parsed.notice}", file=sys.stderr)
    return 0


def _role(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.release:
        event_id = desk.incidents.release_role(args.id, args.role, args.person, shadow=args.shadow)
    elif args.person is None:
        raise DomainError("Name the person to assign, or use --release.")
    else:
        event_id = desk.incidents.assign_role(args.id, args.role, args.person, shadow=args.shadow)
    print(event_id, file=out)
    return 0


def _severity(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.set_severity(args.id, args.severity), file=out)
    return 0


def _status(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.set_status(args.id, args.status, _when(args.at)), file=out)
    return 0


def _milestone(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.set_milestone(args.id, args.milestone, _when(args.at)), file=out)
    return 0


def _correct(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.correct_note(args.id, args.entry, args.text), file=out)
    return 0


def _pin(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.pin(args.id, args.entry, pinned=args.command == "pin"), file=out)
    return 0


def _drill(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    print(desk.incidents.set_drill(args.id, drill=not args.off), file=out)
    return 0


def _timeline(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    entries = desk.incidents.timeline(args.id)
    if args.json:
        _dump([timeline_json(e) for e in entries], out)
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


def _demo(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.app.demo import seed_demo_catalog, seed_demo_drill

    seed_demo_catalog(desk)  # whom to page for its services, when the profile has none
    print(seed_demo_drill(desk), file=out)
    return 0


def _db(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    store = desk.store
    if args.shared:
        from incidentdesk.cli.common import upgrade_shared

        return upgrade_shared(args, desk, out)
    if args.action == "upgrade":
        store.upgrade()
        note = (
            f" (the previous file was copied to {store.backup_path})" if store.backup_path else ""
        )
        print(f"{store.path} is at schema {store.schema_revision()}{note}.", file=out)
    elif args.action == "check":
        result = store.integrity_check()
        if result != ["ok"]:
            print(
                f"{store.path} failed its integrity check: {'; '.join(result[:5])}", file=sys.stderr
            )
            return EXIT_REFUSED
        kept = desk.exchange.quarantined_count()
        aside = (
            f"; {kept} event(s) that could not be read are kept aside, never applied "
            "(incidentdesk sync --quarantined)"
            if kept
            else ""
        )
        print(f"{store.path}: ok (schema {store.schema_revision()}){aside}.", file=out)
    else:
        count = desk.rebuild()
        rebuilt = counted(count, "incident")
        print(f"Rebuilt the projections of {rebuilt} from the journal.", file=out)
    return 0


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else format_utc(moment)


def _dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _sync(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.cli.common import sync

    return sync(args, desk, out)


HANDLERS: dict[str, Handler] = {
    "metrics": run_metrics,
    "search": run_search,
    "archive": run_archive,
    "sync": _sync,
    "declare": _declare,
    "incidents": _incidents,
    "show": _show,
    "note": _note,
    "role": _role,
    "severity": _severity,
    "status": _status,
    "milestone": _milestone,
    "correct": _correct,
    "pin": _pin,
    "unpin": _pin,
    "timeline": _timeline,
    "drill": _drill,
    "demo": _demo,
    "db": _db,
}
EXTENSIONS = (cli_catalog, cli_escalation, cli_postmortem, cli_links)
for _module in EXTENSIONS:
    HANDLERS.update(_module.HANDLERS)
