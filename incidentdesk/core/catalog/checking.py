"""Reading a catalog and saying where it is wrong: located problems, and a reader of one table's
fields that reports at that table."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from incidentdesk.core.errors import DomainError

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}")
URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


class CatalogError(DomainError):
    """A catalog file or payload breaks a rule; the message names where.

    Attributes:
        problems: every problem found (the message is the first one).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        message = problems[0]
        if len(problems) > 1:
            more = len(problems) - 1
            message += f" ({more} more problem{'s' if more > 1 else ''} in the file.)"
        super().__init__(message)


class Lines:
    """Where tables and keys sit in a TOML text (tomllib gives no positions)."""

    _HEADER = re.compile(r"\s*\[\[\s*([A-Za-z_.\s]+?)\s*\]\]")
    _KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str | None) -> None:
        self.tables: dict[tuple[Any, ...], tuple[int, dict[str, int]]] = {}
        if text is None:
            return
        counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = re.sub(r"\s", "", header.group(1))
                top = name.split(".")[0]
                # A nested table ([[policies.levels]]) is counted within its parent's entry.
                parent: tuple[Any, ...] = (top, counts.get((top,), 1) - 1) if "." in name else ()
                slot = (*parent, name)
                index = counts.get(slot, 0)
                counts[slot] = index + 1
                current = (*parent, name, index) if parent else (top, index)
                self.tables[current] = (number, {})
                continue
            key = self._KEY.match(line)
            if key and current is not None:
                self.tables[current][1].setdefault(key.group(1), number)

    def line(self, where: tuple[Any, ...], key: str | None = None) -> int | None:
        found = self.tables.get(where)
        if found is None:
            return None
        return found[1].get(key, found[0]) if key else found[0]


class Checker:
    """Collects located problems while a catalog is read."""

    def __init__(self, source: str, text: str | None) -> None:
        self.source = source
        self.lines = Lines(text)
        self.problems: list[str] = []
        self.positions: dict[int, tuple[Any, ...]] = {}  # id(entity) → its table and index
        self.declared: dict[str, set[str]] = {}  # table → every name written, valid or not

    def keep(
        self, table: str, items: list[Mapping[str, Any]], read: Callable[..., Any]
    ) -> list[Any]:
        """Read each entry of a table, remembering where each entity came from."""
        found = []
        key = "handle" if table == "people" else "name"
        for entry in items:
            if isinstance(entry.get(key), str):
                self.declared.setdefault(table, set()).add(entry[key].strip().casefold())
        for index, entry in enumerate(items):
            obj = read(entry, index, self)
            if obj is not None:
                self.positions[id(obj)] = (table, index)
                found.append(obj)
        return found

    def add(self, where: tuple[Any, ...] | None, entity: str, key: str | None, msg: str) -> None:
        line = self.lines.line(where, key) if where else None
        place = f"{self.source}, line {line}" if line else self.source
        subject = f"{entity}: '{key}' " if key else f"{entity}: "
        self.problems.append(f"{place}: {subject}{msg}")


class Entry:
    """Reads the fields of one table, reporting problems located at it."""

    def __init__(
        self,
        data: Mapping[str, Any],
        where: tuple[Any, ...],
        entity: str,
        check: Checker,
        allowed: tuple[str, ...],
    ) -> None:
        self.data, self.where, self.check = data, where, check
        name = data.get("handle" if entity == "person" else "name")
        self.entity = f"{entity} '{name}'" if isinstance(name, str) else f"{entity} {where[-1] + 1}"
        self.ok = True
        for key in data:
            if key not in allowed:
                self.fail(str(key), f"is not a field of a {entity} ({', '.join(allowed)}).")

    def fail(self, key: str | None, message: str) -> None:
        self.ok = False
        self.check.add(self.where, self.entity, key, message)

    def text(self, key: str, required: bool = True, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing.")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be non-empty text.")
            return default
        return value.strip()

    def name(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not NAME_RE.fullmatch(value):
            self.fail(
                key,
                f"is '{value}', which is not a usable name (letters, digits and . _ : / @ + -, "
                "starting with a letter or digit, at most 100).",
            )
            return None
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key, required=False)
        if value is not None and not URL_RE.fullmatch(value):
            self.fail(key, f"is '{value}', which is not an http or https URL.")
        return value

    def integer(self, key: str, allowed: range, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "is missing.")
            return allowed.start
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            self.fail(key, f"must be a whole number from {allowed.start} to {allowed.stop - 1}.")
            return allowed.start
        return value

    def names(self, key: str, default: list[str] | None = None) -> tuple[str, ...]:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "is missing.")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of names.")
            return ()
        seen: list[str] = []
        for item in value:
            if item in seen:
                self.fail(key, f"lists '{item}' twice.")
            seen.append(item)
        return tuple(seen)
