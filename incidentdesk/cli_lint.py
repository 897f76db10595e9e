"""(being built this session) ``incidentdesk postmortem lint FILE.md``: the blameless check."""

from __future__ import annotations

import argparse
from typing import TextIO


def run_lint(args: argparse.Namespace, out: TextIO) -> int:
    """Check ``args.file`` (``args.people``: names file or None; ``args.json``)."""
    raise NotImplementedError
