"""The ``incidentdesk`` subcommands for an incident's bridge link and customer impact:
``bridge ID URL`` and ``impact ID TEXT`` (``none`` removes either)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.core.incident.links import BRIDGE_SCHEMES

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk

Handler = Callable[[argparse.Namespace, "Desk", TextIO], int]

BRIDGE_HELP = "Set an incident's bridge link (where responders talk) and print the event's id."
IMPACT_HELP = "Set an incident's customer impact (one line) and print the event's id."


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``bridge`` and ``impact``."""
    p = sub.add_parser("bridge", help=BRIDGE_HELP, description=BRIDGE_HELP, parents=parents)
    p.add_argument("id")
    p.add_argument(
        "url",
        metavar="URL",
        help=f"a meeting link or number ({', '.join(s + ':' for s in BRIDGE_SCHEMES)}); "
        "'none' removes it",
    )
    p = sub.add_parser("impact", help=IMPACT_HELP, description=IMPACT_HELP, parents=parents)
    p.add_argument("id")
    p.add_argument(
        "text", help="what customers notice, such as 'EU card payments fail'; 'none' removes it"
    )


def run_bridge(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk bridge ID URL``."""
    print(desk.links.set_bridge(args.id, args.url), file=out)
    return 0


def run_impact(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk impact ID TEXT``."""
    print(desk.links.set_impact(args.id, args.text), file=out)
    return 0


HANDLERS: dict[str, Handler] = {"bridge": run_bridge, "impact": run_impact}
