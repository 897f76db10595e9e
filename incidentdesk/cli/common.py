"""What the command modules share: their exit code for a refusal, JSON output, short ids,
times, the options every command takes, and the ``--json`` and ``--at`` options.

``incidentdesk --help`` imports this module (for :func:`global_options`): what the other
functions need is imported when they run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable

from incidentdesk.infra.profile_names import DEFAULT_PROFILE, ENV_HOME, ENV_PROFILE

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, TextIO

EXIT_REFUSED = 1


def short_id_length(ids: Iterable[str], minimum: int = 8) -> int:
    """The fewest leading characters that tell these ids apart (ids made in the same
    moment share their time-ordered start)."""
    unique = set(ids)
    length = minimum
    while length < 36 and len({i[:length] for i in unique}) < len(unique):
        length += 1
    return length


def dump(data: Any, out: TextIO) -> None:
    """``data`` as indented JSON, non-ASCII kept, and a line end."""
    import json

    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def dump_list(items: Iterable[Any], out: TextIO) -> None:
    """A JSON list written as it is made, one element a line (compact, non-ASCII kept).

    One ``json.dumps`` per element, by the C encoder (indented output is encoded in Python,
    a write per token: two thirds of ``timeline --json`` of 100,000 events), and a long list
    is never held whole as text; the first elements reach a reader (``| head``) at once.
    The whole is still one JSON document; each line but the brackets is one element.
    """
    import json

    encode = json.JSONEncoder(ensure_ascii=False).encode
    out.write("[")
    separator = "\n"
    for item in items:
        out.write(separator + encode(item))
        separator = ",\n"
    out.write("]\n" if separator == "\n" else "\n]\n")


def iso(moment: datetime | None) -> str | None:
    """A moment as the JSON documents write it (None stays None)."""
    from incidentdesk.core.timefmt import format_utc

    return None if moment is None else format_utc(moment)


def when(text: str | None) -> datetime | None:
    """An ``--at`` value as UTC (without an offset: local time); None when not given."""
    from incidentdesk.core.timefmt import parse_when, utc_now

    return None if text is None else parse_when(text, now=utc_now())


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, the terminal's width read without :mod:`shutil` (which
    argparse imports for it, and which imports the compression modules: 3 ms of
    ``incidentdesk --help``). The same rule: ``$COLUMNS``, else the terminal, else 80."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def terminal_columns(fallback: int = 80) -> int:
    """The terminal's width, as :func:`shutil.get_terminal_size` finds it."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or fallback


def global_options() -> argparse.ArgumentParser:
    """A parent parser with the options every command and subcommand takes: ``--data-dir``,
    ``--profile`` and ``--as``."""
    # SUPPRESS lets the options appear before or after the subcommand without clobbering.
    parent = argparse.ArgumentParser(add_help=False, formatter_class=HelpFormatter)
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help=f"the data folder (default: ${ENV_HOME}, else the platform's); it holds "
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


def json_flag(p: argparse.ArgumentParser) -> None:
    """Add ``--json``."""
    p.add_argument("--json", action="store_true", help="machine-readable output")


def at_flag(p: argparse.ArgumentParser, happened: str) -> None:
    """Add ``--at`` (``happened``: ``it started``, ``it happened``)."""
    p.add_argument(
        "--at",
        metavar="ISO8601",
        help=f"when {happened} (without an offset: local time; stored as UTC)",
    )
