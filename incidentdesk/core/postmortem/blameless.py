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
around the strings every match contains (both read from the parsed pattern); the findings
are the same as a search of the whole text.
"""

from __future__ import annotations

import bisect
import importlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.prose import FILLER, block_bounds, mask
from incidentdesk.core.postmortem.prose import (
    unchecked_regions as unchecked_regions,  # public here too
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
FLAGS = re.IGNORECASE | re.MULTILINE

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


def _trie_pattern(words: Sequence[str], space: str = r"\s+") -> str:
    """An alternation of ``words`` as a prefix tree: one branch per character, so a long list
    of names costs one character test per text position, not one per name. A space in a
    word stands for ``space``."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = []
        for char in sorted(k for k in node if k):
            piece = space if char == " " else re.escape(char)
            branches.append(piece + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _fill_people(pattern: str, names: Sequence[str]) -> str:
    alternation = _trie_pattern(_name_forms(names))
    person = rf"(?<![{_WORDISH}])(?-i:{alternation})(?![{_WORDISH}])"
    return pattern.replace("{" + PERSON + "}", person)


# --- the quick pass: where can a rule match at all? ------------------------------------------

MAX_FINDING = 100  # characters: a finding is a phrase, never longer than this
LOOKAHEAD = 200  # characters after its window a pattern's lookahead may still read
# Characters that case-insensitive matching equates with another one that str.lower() keeps
# apart; folded text and literals both map them to that one.
_FOLD_EXTRA = str.maketrans(
    {
        "ı": "i",
        "ſ": "s",
        "ς": "σ",
        "ϐ": "β",
        "ϑ": "θ",
        "ϕ": "φ",
        "ϖ": "π",
        "ϰ": "κ",
        "ϱ": "ρ",
        "ϵ": "ε",
        "ẛ": "ṡ",
        "\u1fbe": "ι",
        "µ": "μ",
    }
)
_FOLD_EXTRA_CHARS = re.compile("[ıſςϐϑϕϖϰϱϵẛ\u1fbeµ]")


@dataclass(frozen=True)
class _Compiled:
    rank: int  # the category's place in CATEGORIES
    position: int  # the rule's place in the rules
    rule: Rule
    regex: re.Pattern[str]
    literals: frozenset[str] | None  # one of these (folded) occurs in every match, if known
    prefixes: frozenset[str] | None  # every match starts with one of these (folded), if known
    finder: re.Pattern[str] | None  # finds where one of many prefixes starts


def _fold(text: str) -> str | None:
    """``text`` lower-cased with each character kept at its offset, or None when lower-casing
    changes the length (then every rule reads every paragraph)."""
    # "İ" is the one character whose lower case is two ("i" and a combining dot).
    folded = (text.replace("İ", "i") if "İ" in text else text).lower()
    if len(folded) != len(text):
        return None
    if _FOLD_EXTRA_CHARS.search(folded):
        folded = folded.translate(_FOLD_EXTRA)
    return folded


def _shortcuts(pattern: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """Read from the parsed pattern: strings one of which every match contains, and strings
    one of which every match starts with (folded; None when not found). Only shortcuts: a
    rule without them reads the whole text."""
    try:
        parser: Any = importlib.import_module("re._parser")
        items = list(parser.parse(pattern, FLAGS))
        required = _literals_of(items)
        prefixes = _prefixes_of(items)
    except Exception:  # a private module that may change: without it, no shortcut
        return None, None
    literals, starts = _folded_set(required, 2), _folded_set(prefixes, 3)
    if literals and starts and not _rarity(starts)[0] and _rarity(literals)[0]:
        starts = None  # "was just": a search around "just" beats a try at every "was"
    return literals, starts


def _folded_set(strings: frozenset[str] | None, shortest: int) -> frozenset[str] | None:
    if not strings:
        return None
    folded = frozenset(_fold(s) or s.lower() for s in strings)
    return folded if min(map(len, folded)) >= shortest else None


def _prefixes_of(items: list[Any]) -> frozenset[str] | None:
    """Strings one of which every match of ``items`` starts with."""
    index = 0
    while index < len(items) and _name(items[index][0]) in _ZERO_WIDTH:
        index += 1
    if index == len(items):
        return None
    op, value = items[index]
    name = _name(op)
    if name == "LITERAL":
        run: list[str] = []
        while index < len(items) and _name(items[index][0]) == "LITERAL":
            run.append(chr(items[index][1]))
            index += 1
        head = "".join(run)
        if index < len(items) and _name(items[index][0]) in ("SUBPATTERN", "BRANCH"):
            tails = _prefixes_of(items[index:])
            if tails and len(tails) <= 256:
                return frozenset(head + tail for tail in tails)
        return frozenset([head])
    if name == "SUBPATTERN":
        return _prefixes_of(list(value[-1]))
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
        return _prefixes_of(list(value[2]))
    if name == "BRANCH":
        branches = [_prefixes_of(list(branch)) for branch in value[1]]
        if all(branches):
            return frozenset().union(*[b for b in branches if b])
    return None


# Frequent words: a literal inside one of them ("cause" in "because") is a poor shortcut.
_FREQUENT = """
    the be to of and a in that have it for not on with he as you do at this but his by from
    they we say her she or an will my one all would there their what so up out if about who get
    which go me when make can like time no just him know take people into year your good some
    could them see other than then now look only come its over think also back after use two how
    our work first well way even new want because any these give day most us is was are were been
    has had did does said made during before while where since until again then each both few
    more such own same very should cannot into through between under above below down off once
    here why how all other itself service services system systems error errors rate request
    requests deploy deployed deployment database server servers alert alerts change changes
    config traffic latency minutes seconds hours team teams incident incidents customers"""
_COMMON_WORDS = frozenset(_FREQUENT.split())


def _rarity(candidate: frozenset[str]) -> tuple[bool, int, int]:
    """How good a set of literals is as a shortcut: none inside a frequent word, then the
    shortest as long as possible, then as few as possible."""
    common = any(literal in word for literal in candidate for word in _COMMON_WORDS)
    return (not common, min(map(len, candidate)), -len(candidate))


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")


def _literals_of(items: list[Any]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if not candidate or "" in candidate:
            return
        if best is None or _rarity(candidate) > _rarity(best):
            best = candidate

    for op, value in items:
        name = _name(op)
        if name == "LITERAL":
            run.append(chr(value))
            continue
        consider(frozenset(["".join(run)]))
        run = []
        if name == "SUBPATTERN":
            consider(_literals_of(list(value[-1])))
        elif name == "ATOMIC_GROUP":
            consider(_literals_of(list(value)))
        elif name == "BRANCH":
            branches = [_literals_of(list(branch)) for branch in value[1]]
            if all(branches):
                consider(frozenset().union(*[b for b in branches if b]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
            consider(_literals_of(list(value[2])))
    consider(frozenset(["".join(run)]))
    return best


def _windows(
    literals: frozenset[str] | None, folded: str | None, bounds: list[int], length: int
) -> list[tuple[int, int]]:
    """Where a rule with these literals can match: around each occurrence of one, as far as
    a finding reaches (:data:`MAX_FINDING`), within its paragraph; merged, in order."""
    if literals is None or folded is None:
        return [(0, length)]
    around: list[tuple[int, int]] = []
    for literal in literals:
        position = folded.find(literal)
        while position >= 0:
            block = bisect.bisect_right(bounds, position)
            block_start = bounds[block - 1] if block else 0
            block_end = bounds[block] if block < len(bounds) else length
            start = max(block_start, position + len(literal) - MAX_FINDING)
            around.append((start, min(block_end, position + MAX_FINDING)))
            position = folded.find(literal, position + 1)
    around.sort()
    windows: list[tuple[int, int]] = []
    for start, end in around:
        if windows and start <= windows[-1][1]:
            if end > windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


FIND_ONE_BY_ONE = 8  # more prefixes than this are found by one regular expression


def _finder(prefixes: frozenset[str]) -> re.Pattern[str]:
    """A pattern that finds where any of ``prefixes`` starts (in folded text)."""
    ordered = sorted(prefixes)
    shortest = [p for i, p in enumerate(ordered) if not any(p.startswith(q) for q in ordered[:i])]
    return re.compile(_trie_pattern(shortest, space=" "))


def _prefix_starts(item: _Compiled, folded: str) -> Iterator[int]:
    """Every offset where one of the rule's prefixes starts, in order (overlaps included)."""
    if item.finder is not None:
        found = item.finder.search(folded)
        while found is not None:
            yield found.start()
            found = item.finder.search(folded, found.start() + 1)
        return
    starts: set[int] = set()
    for prefix in item.prefixes or ():
        position = folded.find(prefix)
        while position >= 0:
            starts.add(position)
            position = folded.find(prefix, position + 1)
    yield from sorted(starts)


# --- the check --------------------------------------------------------------------------------


def _matches(
    item: _Compiled, masked: str, folded: str | None, bounds: list[int]
) -> Iterator[tuple[int, int]]:
    """The spans a rule matches: tried only where one of its prefixes occurs, or searched
    only around its literals, or (knowing neither) in the whole text."""
    length = len(masked)
    if item.prefixes is not None and folded is not None:
        reached = 0
        for position in _prefix_starts(item, folded):
            if position < reached:
                continue  # inside the previous match, as a search would skip it
            match = item.regex.match(masked, position, min(length, position + LOOKAHEAD))
            if match and match.end() > position:
                reached = match.end()
                yield position, match.end()
        return
    for window_start, window_end in _windows(item.literals, folded, bounds, length):
        endpos = min(length, window_end + LOOKAHEAD)
        for match in item.regex.finditer(masked, window_start, endpos):
            if match.start() >= window_end:
                break
            yield match.span()


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
        compiled: list[_Compiled] = []
        for position, rule in enumerate(self.rules):
            pattern = rule.pattern
            if "{" + PERSON + "}" in pattern:
                if not _name_forms(names):
                    continue
                pattern = _fill_people(pattern, names)
            rank = order.get(rule.category, len(order))
            regex = _compile(pattern, f"rule '{rule.id}'")
            literals, prefixes = _shortcuts(pattern)
            finder = _finder(prefixes) if prefixes and len(prefixes) > FIND_ONE_BY_ONE else None
            compiled.append(_Compiled(rank, position, rule, regex, literals, prefixes, finder))
        self._compiled = compiled

    def check(self, text: str) -> list[Finding]:
        """Findings in ``text``, ordered by start. Where findings overlap, one inside
        another's words is dropped (the longer, then the more specific category, is kept)."""
        masked = mask(text)
        bounds = block_bounds(masked)
        folded = _fold(masked)
        candidates: list[tuple[int, int, int, int, Rule]] = []
        for item in self._compiled:
            for start, end in _matches(item, masked, folded, bounds):
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
