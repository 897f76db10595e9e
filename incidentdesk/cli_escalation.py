"""(being built this session) The ``incidentdesk`` subcommands for escalation."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from incidentdesk.desk import Desk

Handler = Callable[[argparse.Namespace, "Desk", TextIO], int]


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands. A parser that runs without the local database sets
    ``set_defaults(no_desk=True)``; its handler then gets ``None`` for the desk."""


HANDLERS: dict[str, Handler] = {}
