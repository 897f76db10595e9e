"""The blameless language check: rules (data) find wording about people instead of systems.

Deterministic, no network, no AI. A :class:`Rule` is a regular expression with a category,
an explanation and a suggested rewording; the rules live in TOML files
(``resources/blameless/``, read by :mod:`incidentdesk.infra.rules`) and :func:`parse_rules` turns
the text of one such file into rules. A :class:`Checker` compiles the rules once (with the
names of the people the check knows) and :meth:`Checker.check` returns :class:`Finding` s
with exact character spans into the checked text.

Not checked (Markdown): fenced and indented code blocks, inline code spans, block quotes
(lines starting with ``>``, such as pasted chat logs), text between quotation marks
(``"…"``, ``“…”``, ``«…»``, ``„…“``, ``「…」``, and ``'…'`` / ``‘…’`` when clearly a
quotation, not an apostrophe), URLs, link destinations and HTML comments. Those regions are
replaced by a filler character of the same length before matching, so offsets never move.

The rules file format::

    # Regular-expression fragments a pattern names as {name}; each list becomes (?:a|b|…).
    [lists]
    mistake_verb = ['broke', 'forgot(?:\\s+to)?']

    [[rule]]
    id = "person.mistake"          # unique; letters, digits, '.', '_' and '-'
    category = "named-person"      # one of CATEGORIES
    pattern = '{person}\\s+{mistake_verb}'
    explanation = "…"
    suggestion = "…"

Patterns are Python regular expressions compiled case-insensitively (``IGNORECASE``) and
with ``MULTILINE``; a part that must match case is written ``(?-i:…)``. ``{person}`` stands
for the names given to the :class:`Checker` (whole words, case-sensitive); a rule that uses
it is inactive when no names are known.

A finding is a phrase: at most :data:`MAX_FINDING` characters, never running from one
paragraph (or list item, heading) into the next. Offsets count Python characters (code
points); Qt counts UTF-16 units, see :func:`utf16_offset`. To stay fast as someone types, a
rule is tried only where one of the strings every match starts with occurs, or searched only
around the strings every match contains (both read from the parsed pattern; see
:mod:`incidentdesk.core.postmortem.quick_pass`); the findings are the same as a search of the
whole text.
"""

from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.prose import FILLER, block_bounds, mask
from incidentdesk.core.postmortem.prose import (
    unchecked_regions as unchecked_regions,  # public here too
)
from incidentdesk.core.postmortem.quick_pass import (
    FIND_ONE_BY_ONE,
    FLAGS,
    MAX_FINDING,
    Compiled,
    fold,
    matches,
    prefix_finder,
    shortcuts,
    trie_pattern,
)

# Category id → what it means, most specific first: when two findings cover the same words,
# the one whose category comes first is kept.
CATEGORIES: dict[str, str] = {
    "named-person": "a named person as the subject of a mistake",
    "blame": "blame and judgement",
    "human-error": "human error",
    "counterfactual": "counterfactual and hindsight",
    "root-cause": "single root cause",
    "minimizing": "minimizing",
}

PERSON = "person"  # the placeholder filled with the names the checker knows
RULE_FIELDS = ("id", "category", "pattern", "explanation", "suggestion")

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_RULE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*rule[ \t]*\]\]", re.MULTILINE)
# A character that continues a word, combining marks included (so "Jose" + U+0301 is not "Jose").
_WORDISH = r"\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"


class RulesError(DomainError):
    """A rules file that cannot be used: the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Rule:
    """One check: ``pattern`` is a regular expression (``{person}`` stands for the names)."""

    id: str
    category: str
    pattern: str
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    """Words a rule flags. ``start``/``end``: character offsets into the checked text
    (``text[start:end] == self.text``); ``line`` and ``column`` are 1-based (characters)."""

    rule_id: str
    category: str
    start: int
    end: int
    text: str
    explanation: str
    suggestion: str
    line: int
    column: int


# --- rules files ------------------------------------------------------------------------------


def parse_rules(text: str, source: str) -> list[Rule]:
    """The rules of one rules file (TOML text); ``source`` names the file in errors.

    Raises:
        RulesError: not TOML, an unknown key, a missing or empty field, an unknown category,
            a pattern that does not compile, matches empty text or names an unknown list,
            or an id used twice.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source} is not valid TOML: {exc}.") from None
    unknown = sorted(set(data) - {"lists", "rule"})
    if unknown:
        raise RulesError(f"{source}: unknown top-level key '{unknown[0]}' (use [lists], [[rule]]).")
    lists = _parse_lists(data.get("lists", {}), source)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RulesError(f"{source}: 'rule' must be an array of tables, written [[rule]].")
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in _RULE_HEADER.finditer(text)]
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = header_lines[index] if index < len(header_lines) else None
        rule = _parse_rule(entry, lists, _where(source, index, line, entry))
        if rule.id in seen:
            raise RulesError(f"{_where(source, index, line, entry)}: the id is used twice.")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _where(source: str, index: int, line: int | None, entry: object) -> str:
    rule_id = entry.get("id") if isinstance(entry, dict) else None
    named = f"rule '{rule_id}'" if isinstance(rule_id, str) and rule_id else f"rule {index + 1}"
    return f"{source}, {named}" + (f" (line {line})" if line else "")


def _parse_lists(raw: object, source: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise RulesError(f"{source}: [lists] must be a table of lists of patterns.")
    lists: dict[str, str] = {}
    for name, items in raw.items():
        where = f"{source}, list '{name}'"
        if not _PLACEHOLDER.fullmatch("{" + name + "}") or name == PERSON:
            raise RulesError(f"{where}: a list name is letters, digits and '_' (not '{PERSON}').")
        if not isinstance(items, list) or not items:
            raise RulesError(f"{where}: a list is a non-empty array of patterns.")
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise RulesError(f"{where}: every item must be a non-empty string.")
            _compile(item, f"{where}, item '{item}'")
        lists[name] = "(?:" + "|".join(items) + ")"
    return lists


def _parse_rule(entry: object, lists: dict[str, str], where: str) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError(f"{where}: a rule is a table with the fields {', '.join(RULE_FIELDS)}.")
    unknown = sorted(set(entry) - set(RULE_FIELDS))
    if unknown:
        raise RulesError(f"{where}: unknown field '{unknown[0]}' ({', '.join(RULE_FIELDS)}).")
    values: dict[str, str] = {}
    for field in RULE_FIELDS:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(f"{where}: the field '{field}' is missing or empty.")
        values[field] = value.strip() if field != "pattern" else value
    if not _ID.match(values["id"]):
        raise RulesError(f"{where}: the field 'id' may hold only letters, digits, '.', '_', '-'.")
    if values["category"] not in CATEGORIES:
        known = ", ".join(CATEGORIES)
        raise RulesError(f"{where}: the field 'category' must be one of {known}.")
    pattern = values["pattern"]

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == PERSON:
            return match.group(0)
        if name not in lists:
            raise RulesError(f"{where}: the field 'pattern' names an unknown list '{{{name}}}'.")
        return lists[name]

    pattern = _PLACEHOLDER.sub(expand, pattern)
    compiled = _compile(_fill_people(pattern, ["Alice Example"]), f"{where}, field 'pattern'")
    if compiled.search("") is not None or compiled.search(" ") is not None:
        raise RulesError(f"{where}: the field 'pattern' matches empty text.")
    return Rule(
        values["id"], values["category"], pattern, values["explanation"], values["suggestion"]
    )


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, FLAGS)
    except re.error as exc:
        raise RulesError(f"{where} is not a valid regular expression: {exc}.") from None
    except (RecursionError, OverflowError):
        raise RulesError(f"{where} is too complex a regular expression.") from None


# --- people -----------------------------------------------------------------------------------


def _name_forms(names: Iterable[str]) -> list[str]:
    """Each name as typed, NFC and NFD, and a full name's first word (people are often
    written by their given name: "Maya" for "Maya Chen")."""
    forms: set[str] = set()
    for raw in names:
        name = " ".join(str(raw).split())
        if len(name) < 2:
            continue
        variants = {name}
        first = name.split(" ")[0]
        if first != name and len(first) >= 2 and first[0].isupper():
            variants.add(first)
        for variant in variants:
            forms.update(
                {
                    variant,
                    unicodedata.normalize("NFC", variant),
                    unicodedata.normalize("NFD", variant),
                }
            )
    return sorted(forms)


def _fill_people(pattern: str, names: Sequence[str]) -> str:
    alternation = trie_pattern(_name_forms(names))
    person = rf"(?<![{_WORDISH}])(?-i:{alternation})(?![{_WORDISH}])"
    return pattern.replace("{" + PERSON + "}", person)


# --- the check --------------------------------------------------------------------------------


class Checker:
    """The rules compiled once, with the names of the people the check knows.

    ``people``: names from the catalog and the incident's role history; each is matched as a
    whole word, case-sensitively, in the form given, NFC and NFD, and a full name also by its
    first word. Rules that name ``{person}`` are inactive without names.
    """

    def __init__(self, rules: Sequence[Rule], people: Iterable[str] = ()) -> None:
        self.rules = tuple(rules)
        names = sorted({" ".join(str(p).split()) for p in people} - {""})
        self.people = tuple(names)
        order = {category: rank for rank, category in enumerate(CATEGORIES)}
        compiled: list[Compiled] = []
        for position, rule in enumerate(self.rules):
            pattern = rule.pattern
            if "{" + PERSON + "}" in pattern:
                if not _name_forms(names):
                    continue
                pattern = _fill_people(pattern, names)
            rank = order.get(rule.category, len(order))
            regex = _compile(pattern, f"rule '{rule.id}'")
            literals, prefixes = shortcuts(pattern)
            finder = (
                prefix_finder(prefixes) if prefixes and len(prefixes) > FIND_ONE_BY_ONE else None
            )
            compiled.append(Compiled(rank, position, rule, regex, literals, prefixes, finder))
        self._compiled = compiled

    def check(self, text: str) -> list[Finding]:
        """Findings in ``text``, ordered by start. Where findings overlap, one inside
        another's words is dropped (the longer, then the more specific category, is kept)."""
        masked = mask(text)
        bounds = block_bounds(masked)
        folded = fold(masked)
        candidates: list[tuple[int, int, int, int, Rule]] = []
        for item in self._compiled:
            for start, end in matches(item, masked, folded, bounds):
                while start < end and masked[start].isspace():
                    start += 1
                while end > start and masked[end - 1].isspace():
                    end -= 1
                if start == end or end - start > MAX_FINDING or FILLER in masked[start:end]:
                    continue
                if bisect.bisect_left(bounds, start) != bisect.bisect_left(bounds, end):
                    continue  # a finding never runs from one paragraph into the next
                candidates.append((start, -end, item.rank, item.position, item.rule))
        candidates.sort(key=lambda c: c[:4])
        findings: list[Finding] = []
        reach = -1  # the furthest end of a kept finding
        line, line_start, counted = 1, 0, 0
        for start, negative_end, _rank, _position, rule in candidates:
            end = -negative_end
            if end <= reach:
                continue  # inside a kept finding (which starts no later than this one)
            reach = end
            newlines = text.count("\n", counted, start)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", counted, start) + 1
            counted = start
            findings.append(
                Finding(
                    rule_id=rule.id,
                    category=rule.category,
                    start=start,
                    end=end,
                    text=text[start:end],
                    explanation=rule.explanation,
                    suggestion=rule.suggestion,
                    line=line,
                    column=start - line_start + 1,
                )
            )
        return findings


def utf16_offset(text: str, index: int) -> int:
    """``index`` (a character offset into ``text``) in UTF-16 code units, as Qt's text
    positions count: a character outside the Basic Multilingual Plane (an emoji) counts two."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)
