"""The ``incidentdesk`` command: the desktop app by default, scripting subcommands otherwise.

The commands are registered in :mod:`incidentdesk.cli.commands`; this module builds the
parser from that table and runs the chosen command with what it needs (a profile location,
a profile, or the Desk). A command's module is imported only when it runs.

Errors are one sentence on stderr and a non-zero exit (1: refused, 2: bad usage); a bad
input never produces a traceback.

``incidentdesk --version`` and ``--help`` run only this module, :mod:`~incidentdesk.cli.commands`
and :mod:`~incidentdesk.cli.common` (and argparse): everything else is imported once a command
is chosen (``tests/cli/test_cli_commands.py`` keeps it so).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from incidentdesk import __version__
from incidentdesk.cli.commands import COMMAND_BY_NAME, COMMANDS, LazySubcommands
from incidentdesk.cli.common import HelpFormatter, global_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import TextIO

    from incidentdesk.cli.commands import Handler
    from incidentdesk.infra.config import ProfileLocation

VERSION = f"incidentdesk {__version__}"
# What runs each command, by name; a test may put its own handler here.
HANDLERS: dict[str, Handler] = {c.name: c.run for c in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand (each one's arguments added when used)."""
    common = global_options()
    parser = argparse.ArgumentParser(
        prog="incidentdesk",
        description="The incident commander's desktop. With no command, opens the app.",
        parents=[common],
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=VERSION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=LazySubcommands)
    assert isinstance(sub, LazySubcommands)
    for command in COMMANDS:
        command.add_later_to(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        print(VERSION)  # as argparse prints it, without building the parser (scripts ask often)
        return 0
    args = build_parser().parse_args(argv)
    from incidentdesk.core.errors import UserError

    try:
        from incidentdesk.infra.config import resolve_profile

        location = resolve_profile(getattr(args, "data_dir", None), getattr(args, "profile", None))
        if args.command is None:
            from incidentdesk.cli.app import run_app

            return run_app(args, location)
        return _run(args, location, out)
    except UserError as exc:
        print(f"incidentdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (say, `| head`) went away: not an error. Silence the flush at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:
        # A bug: the traceback still goes to stderr, and to the log for the bug report.
        import logging

        log = logging.getLogger(__name__)
        log.exception("incidentdesk %s failed unexpectedly", args.command or "(app)")
        raise


def _run(args: argparse.Namespace, location: ProfileLocation, out: TextIO) -> int:
    """Run ``args.command`` with what it needs (see :mod:`incidentdesk.cli.commands`)."""
    handler = HANDLERS[args.command]
    if getattr(args, "no_desk", False):  # such as `postmortem lint`: no profile, no database
        return handler(args, None, out)
    from incidentdesk.infra import logs

    logs.setup("cli", location.name, location.base if location.base_chosen else None)
    needs = COMMAND_BY_NAME[args.command].needs
    if needs == "location":
        return handler(args, location, out)
    from incidentdesk.infra.config import Profile, prepare_profile

    profile = Profile.load(prepare_profile(location))
    if needs == "profile":
        return handler(args, profile, out)
    from incidentdesk.app.desk import Desk

    desk = Desk.open(profile.data_dir, getattr(args, "author", None) or profile.author())
    desk.action_items.due_days = profile.due_days
    try:
        return handler(args, desk, out)
    finally:
        desk.close()
