"""``incidentdesk bridge ID URL`` and ``impact ID TEXT`` (``none`` removes either): an
incident's bridge link and customer impact, run as the quick entry's ``/bridge`` and
``/impact`` (:mod:`incidentdesk.app.operations`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from incidentdesk.app.operations import SetBridge, SetImpact
from incidentdesk.core.incident.links import BRIDGE_SCHEMES

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def bridge_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument(
        "url",
        metavar="URL",
        help=f"a meeting link or number ({', '.join(s + ':' for s in BRIDGE_SCHEMES)}); "
        "'none' removes it",
    )


def run_bridge(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk bridge ID URL``."""
    print(SetBridge(args.id, args.url).run(desk), file=out)
    return 0


def impact_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument(
        "text", help="what customers notice, such as 'EU card payments fail'; 'none' removes it"
    )


def run_impact(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk impact ID TEXT``."""
    print(SetImpact(args.id, args.text).run(desk), file=out)
    return 0
