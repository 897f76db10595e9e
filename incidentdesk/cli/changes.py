"""``incidentdesk note | role | severity | status | milestone | correct | pin | unpin | drill``:
the changes to an incident, run as the quick entry runs them
(:mod:`incidentdesk.app.operations`). Each prints the id of the event it recorded.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from incidentdesk.app.operations import (
    AddAction,
    AddNote,
    AssignRole,
    CorrectNote,
    Operation,
    Pin,
    ReleaseRole,
    SetDrill,
    SetMilestone,
    SetSeverity,
    SetStatus,
)
from incidentdesk.cli.common import at_flag, when
from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.roles import ROLES
from incidentdesk.core.journal.events import NOTE_KINDS
from incidentdesk.core.postmortem.action_text import DUE_FORMS

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def _done(operation: Operation, desk: Desk, out: TextIO) -> int:
    print(operation.run(desk), file=out)
    return 0


def note_arguments(p: argparse.ArgumentParser) -> None:
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


def run_note(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.kind != "action":
        if args.owner is not None or args.due is not None:
            raise DomainError("--owner and --due are for an action item: add --kind action.")
        return _done(AddNote(args.id, args.text, args.kind, when(args.at), args.pin), desk, out)
    action = AddAction(
        args.id, args.text, owner=args.owner or "", due=args.due, at=when(args.at), pinned=args.pin
    )
    added = action.run(desk)
    print(added.note_id, file=out)  # the entry's id, as for every note
    if added.parsed.notice:  # a due phrase it did not understand stays in the text
        print(f"incidentdesk: {added.parsed.notice}", file=sys.stderr)
    return 0


def role_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("role", help=", ".join(r.key for r in ROLES))
    p.add_argument("person", nargs="?")
    p.add_argument("--release", action="store_true", help="release the role")
    p.add_argument("--shadow", action="store_true", help="attach (or release) a shadow")


def run_role(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.release:
        return _done(ReleaseRole(args.id, args.role, args.person, args.shadow), desk, out)
    if args.person is None:
        raise DomainError("Name the person to assign, or use --release.")
    return _done(AssignRole(args.id, args.role, args.person, args.shadow), desk, out)


def severity_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("severity", metavar="SEVn")


def run_severity(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(SetSeverity(args.id, args.severity), desk, out)


def status_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("status")
    at_flag(p, "it happened")


def run_status(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(SetStatus(args.id, args.status, when(args.at)), desk, out)


def milestone_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("milestone")
    at_flag(p, "it happened")


def run_milestone(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(SetMilestone(args.id, args.milestone, when(args.at)), desk, out)


def correct_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("entry", help="the note's id or a unique prefix")
    p.add_argument("text")


def run_correct(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(CorrectNote(args.id, args.entry, args.text), desk, out)


def pin_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("entry", help="the entry's id or a unique prefix")


unpin_arguments = pin_arguments


def run_pin(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(Pin(args.id, args.entry), desk, out)


def run_unpin(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(Pin(args.id, args.entry, pinned=False), desk, out)


def drill_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("--off", action="store_true", help="it is a real incident after all")


def run_drill(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    return _done(SetDrill(args.id, drill=not args.off), desk, out)
