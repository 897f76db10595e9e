"""Loading the blameless rules: the shipped rules files plus a team's own.

The shipped files are ``resources/blameless/*.toml`` (found by :mod:`incidentdesk.infra.shipped`);
a team adds files or folders of ``*.toml`` files. The rules themselves, and the file format,
are in :mod:`incidentdesk.core.postmortem.blameless`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from incidentdesk.core.postmortem.blameless import Checker, Rule, RulesError, parse_rules
from incidentdesk.infra.files import MIB, FileRefused, read_bounded
from incidentdesk.infra.shipped import resource_path

SUFFIX = ".toml"
MAX_RULES_BYTES = 1 * MIB  # the shipped rules are a few KiB


def shipped_rules_dir() -> Path:
    """The folder of the rules files that ship with the app."""
    return resource_path("blameless")


def _files(path: Path) -> list[Path]:
    """A rules file, or a folder's ``*.toml`` files in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == SUFFIX and p.is_file())
    if not path.exists():
        raise RulesError(f"The rules file {path} does not exist.")
    return [path]


def read_rules_file(path: Path) -> list[Rule]:
    """The rules of one file.

    Raises:
        RulesError: unreadable, not UTF-8, or not a valid rules file (the message names the
            file, the rule and its line, and the field).
    """
    try:
        data = read_bounded(path, MAX_RULES_BYTES, "rules file")
    except FileRefused as exc:
        raise RulesError(str(exc)) from None
    except OSError as exc:
        raise RulesError(f"Cannot read the rules file {path}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulesError(
            f"The rules file {path} is not UTF-8 text (byte {exc.start:,} cannot be read)."
        ) from None
    return parse_rules(text, str(path))


def _read_all(paths: Iterable[Path]) -> list[Rule]:
    rules: list[Rule] = []
    origin: dict[str, Path] = {}
    for path in paths:
        for rule in read_rules_file(path):
            if rule.id in origin:
                raise RulesError(
                    f"{path}, rule '{rule.id}': the id is already used in {origin[rule.id]}."
                )
            origin[rule.id] = path
            rules.append(rule)
    return rules


@cache
def shipped_rules() -> tuple[Rule, ...]:
    """The shipped rules, parsed once per process."""
    return tuple(_read_all(_files(shipped_rules_dir())))


def load_rules(extra: Iterable[Path] = ()) -> list[Rule]:
    """The shipped rules, then those of ``extra`` (files, or folders of ``*.toml`` files).

    An id may be used only once across all of them.

    Raises:
        RulesError: a missing or malformed file, or an id used twice.
    """
    extra_files = [file for path in extra for file in _files(Path(path))]
    if not extra_files:
        return list(shipped_rules())
    return _read_all([*_files(shipped_rules_dir()), *extra_files])


def default_checker(people: Iterable[str] = ()) -> Checker:
    """A checker with the shipped rules and these people's names (cached per set of names)."""
    return _checker(tuple(sorted({" ".join(str(p).split()) for p in people} - {""})))


@lru_cache(maxsize=8)
def _checker(people: tuple[str, ...]) -> Checker:
    return Checker(shipped_rules(), people)
