"""``incidentdesk demo``: seed a realistic demo incident, marked as a drill."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from incidentdesk.app.demo import seed_demo_catalog, seed_demo_drill

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def run_demo(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    seed_demo_catalog(desk)  # whom to page for its services, when the profile has none
    print(seed_demo_drill(desk), file=out)
    return 0
