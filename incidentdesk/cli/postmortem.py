"""``incidentdesk postmortem lint | export``: check a Markdown post-mortem's language (no
database), export an incident's post-mortem.

The subcommand is dispatched by :data:`SUBCOMMANDS` (add a subcommand: its parser in
:func:`postmortem_arguments`, its handler there).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from incidentdesk.cli.common import global_options
from incidentdesk.core.errors import DomainError

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk

Handler = Callable[[argparse.Namespace, "Desk", TextIO], int]

LINT_HELP = (
    "Check a Markdown post-mortem for blameful language; exit 1 when there are findings, "
    "0 when clean, 2 on bad input."
)
EXPORT_HELP = "Write an incident's post-mortem as Markdown, HTML or PDF."


def postmortem_arguments(group: argparse.ArgumentParser) -> None:
    """The subcommands. ``lint`` runs without the local database (``no_desk``); its handler
    gets ``None`` for the desk."""
    parents = [global_options()]
    actions = group.add_subparsers(dest="postmortem_command", metavar="ACTION", required=True)

    p = actions.add_parser("lint", help=LINT_HELP, description=LINT_HELP, parents=parents)
    p.add_argument("file", metavar="FILE.md", help="the Markdown file to check")
    p.add_argument(
        "--people",
        metavar="FILE",
        help="one name per line, added to the names the check knows",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(no_desk=True)

    p = actions.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP, parents=parents)
    p.add_argument("id", help="the incident's id or a unique prefix")
    p.add_argument(
        "--format",
        choices=("md", "html", "pdf"),
        help="default: from the output file's name (.md, .html, .pdf)",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")


def run_postmortem(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk postmortem ACTION …``: run the chosen subcommand."""
    return SUBCOMMANDS[args.postmortem_command](args, desk, out)


def _lint(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.cli.lint import run_lint

    return run_lint(args, out)


def _export(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.infra.export import export, format_for

    path = Path(args.output)
    fmt = args.format or format_for(path)
    if fmt is None:
        raise DomainError(
            f"Cannot tell the format of {path} from its name; add --format md, html or pdf."
        )
    export(desk.postmortems.document(args.id), fmt, path)
    print(path, file=out)
    return 0


SUBCOMMANDS: dict[str, Handler] = {
    "lint": _lint,
    "export": _export,
}
