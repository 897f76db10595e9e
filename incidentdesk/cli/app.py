"""The window: ``incidentdesk`` with no command opens the app; ``incidentdesk screenshot``
renders it offscreen with real data. Qt is imported only here, only when one of them runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from incidentdesk.infra.config import Profile, ProfileLocation


def run_app(args: argparse.Namespace, location: ProfileLocation) -> int:
    """Open the desktop app on the profile at ``location``; returns its exit code."""
    from incidentdesk.ui.shell.app import run_app as run_window

    return run_window(location, getattr(args, "author", None))


def screenshot_arguments(p: argparse.ArgumentParser) -> None:
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


def run_screenshot(args: argparse.Namespace, profile: Profile, out: TextIO) -> int:
    from incidentdesk.ui.shell.screenshot import parse_size, take_screenshot

    size = parse_size(args.size)
    path = take_screenshot(
        profile.data_dir, Path(args.out), args.incident, args.panel, size, args.theme
    )
    print(path, file=out)
    return 0
