"""The ``incidentdesk`` command: the desktop app by default, scripting subcommands otherwise.

The commands are registered in :mod:`incidentdesk.cli.commands`; this module builds the
parser from that table and runs the chosen command with what it needs (a profile location,
a profile, or the Desk). A command's module is imported only when it runs.

Errors are one sentence on stderr and a non-zero exit (1: refused, 2: bad usage); a bad
input never produces a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from incidentdesk import __version__
from incidentdesk.cli.commands import COMMAND_BY_NAME, COMMANDS, Handler, LazyParser
from incidentdesk.cli.common import global_options
from incidentdesk.core.errors import UserError

if TYPE_CHECKING:
    from incidentdesk.infra.config import ProfileLocation

# What runs each command, by name; a test may put its own handler here.
HANDLERS: dict[str, Handler] = {c.name: c.run for c in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand (each one's arguments added when used)."""
    common = global_options()
    parser = argparse.ArgumentParser(
        prog="incidentdesk",
        description="The incident commander's desktop. With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"incidentdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=LazyParser)
    for command in COMMANDS:
        command.add_to(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
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
