"""What the command modules share: their exit code for a refusal, JSON output, short ids,
times, the options every command takes, and the ``--json`` and ``--at`` options."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from incidentdesk.core.timefmt import format_utc, parse_when, utc_now

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
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def iso(moment: datetime | None) -> str | None:
    """A moment as the JSON documents write it (None stays None)."""
    return None if moment is None else format_utc(moment)


def when(text: str | None) -> datetime | None:
    """An ``--at`` value as UTC (without an offset: local time); None when not given."""
    return None if text is None else parse_when(text, now=utc_now())


def global_options() -> argparse.ArgumentParser:
    """A parent parser with the options every command and subcommand takes: ``--data-dir``,
    ``--profile`` and ``--as``."""
    from incidentdesk.infra.config import DEFAULT_PROFILE, ENV_PROFILE

    # SUPPRESS lets the options appear before or after the subcommand without clobbering.
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the data folder (default: $INCIDENTDESK_HOME, else the platform's); it holds "
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
