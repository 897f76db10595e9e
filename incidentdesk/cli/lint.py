"""``incidentdesk postmortem lint FILE.md [--people FILE] [--json]``: the blameless check.

Checks any Markdown post-mortem with the shipped rules, without opening the local database.
Exit status: 1 when there are findings, 0 when there are none, 2 on bad input (a missing,
unreadable, binary or non-UTF-8 file, a bad people file): usable in a docs repository's CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from incidentdesk.core.errors import UserError
from incidentdesk.core.postmortem.blameless import Finding
from incidentdesk.core.text import clean_name
from incidentdesk.infra.files import MIB, FileRefused, read_bounded
from incidentdesk.infra.rules import default_checker

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
LINT_INPUT_LIMIT = 10 * MIB  # a post-mortem or a list of people; far more is a wrong file


class LintInputError(UserError):
    """A file the check cannot read."""


def run_lint(args: argparse.Namespace, out: TextIO) -> int:
    """Check ``args.file`` (``args.people``: names file or None; ``args.json``)."""
    try:
        text = read_text(Path(args.file), "post-mortem")
        people = read_people(Path(args.people)) if getattr(args, "people", None) else []
        findings = default_checker(people).check(text)
    except UserError as exc:  # bad input (a rules file the app ships is one too)
        print(f"incidentdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "json", False):
        out.write(json.dumps([as_json(args.file, f) for f in findings], ensure_ascii=False))
        out.write("\n")
    else:
        for finding in findings:
            out.write(as_line(args.file, finding) + "\n")
        out.write(summary(args.file, findings) + "\n")
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file's content (a byte-order mark dropped).

    Raises:
        LintInputError: missing, a folder, unreadable, binary (NUL bytes) or not UTF-8.
    """
    try:
        data = read_bounded(path, LINT_INPUT_LIMIT, f"{what} file")
    except FileRefused as exc:
        raise LintInputError(str(exc)) from None
    except FileNotFoundError:
        raise LintInputError(f"The {what} file {path} does not exist.") from None
    except IsADirectoryError:
        raise LintInputError(f"{path} is a folder; name the {what} file.") from None
    except OSError as exc:
        raise LintInputError(f"Cannot read the {what} file {path}: {exc.strerror}.") from None
    if b"\x00" in data:
        raise LintInputError(f"The {what} file {path} is not text (it holds NUL bytes).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LintInputError(
            f"The {what} file {path} is not UTF-8 text (byte {exc.start:,} cannot be read)."
        ) from None


def read_people(path: Path) -> list[str]:
    """Names, one per line; blank lines and lines starting with ``#`` are skipped.

    Raises:
        LintInputError: the file cannot be read, or a name is too long or holds a control
            character (the message names the line).
    """
    names: list[str] = []
    for number, line in enumerate(read_text(path, "people").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            names.append(clean_name(line))
        except UserError as exc:
            raise LintInputError(f"{path}, line {number}: {exc}") from None
    return names


def shown(text: str) -> str:
    """Matched text on one line: line breaks and tabs become spaces."""
    return " ".join(text.split())


def as_line(file: str, finding: Finding) -> str:
    """``FILE:LINE:COL: category: "text" — explanation (suggestion: …)``."""
    return (
        f'{file}:{finding.line}:{finding.column}: {finding.category}: "{shown(finding.text)}"'
        f" — {finding.explanation} (suggestion: {finding.suggestion})"
    )


def as_json(file: str, finding: Finding) -> dict[str, Any]:
    """One finding for ``--json``."""
    return {
        "file": file,
        "line": finding.line,
        "column": finding.column,
        "start": finding.start,
        "end": finding.end,
        "text": finding.text,
        "rule": finding.rule_id,
        "category": finding.category,
        "explanation": finding.explanation,
        "suggestion": finding.suggestion,
    }


def summary(file: str, findings: list[Finding]) -> str:
    """The last line: how many findings, by category."""
    if not findings:
        return f"{file}: no findings."
    counts = Counter(f.category for f in findings)
    parts = ", ".join(f"{n} {category}" for category, n in sorted(counts.items()))
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{file}: {len(findings)} {noun} ({parts})."
