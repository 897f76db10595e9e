"""The quick pass of the blameless check: where can a rule match at all?

To stay fast as someone types, a rule is tried only where one of the strings every match
starts with occurs, or searched only around the strings every match contains (both read from
the parsed pattern); the findings are the same as a search of the whole text.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incidentdesk.core.postmortem.blameless import Rule

FLAGS = re.IGNORECASE | re.MULTILINE
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
class Compiled:
    rank: int  # the category's place in CATEGORIES
    position: int  # the rule's place in the rules
    rule: Rule
    regex: re.Pattern[str]
    literals: frozenset[str] | None  # one of these (folded) occurs in every match, if known
    prefixes: frozenset[str] | None  # every match starts with one of these (folded), if known
    finder: re.Pattern[str] | None  # finds where one of many prefixes starts


def fold(text: str) -> str | None:
    """``text`` lower-cased with each character kept at its offset, or None when lower-casing
    changes the length (then every rule reads every paragraph)."""
    # "İ" is the one character whose lower case is two ("i" and a combining dot).
    folded = (text.replace("İ", "i") if "İ" in text else text).lower()
    if len(folded) != len(text):
        return None
    if _FOLD_EXTRA_CHARS.search(folded):
        folded = folded.translate(_FOLD_EXTRA)
    return folded


def shortcuts(pattern: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
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
    folded = frozenset(fold(s) or s.lower() for s in strings)
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


def prefix_finder(prefixes: frozenset[str]) -> re.Pattern[str]:
    """A pattern that finds where any of ``prefixes`` starts (in folded text)."""
    ordered = sorted(prefixes)
    shortest = [p for i, p in enumerate(ordered) if not any(p.startswith(q) for q in ordered[:i])]
    return re.compile(trie_pattern(shortest, space=" "))


def _prefix_starts(item: Compiled, folded: str) -> Iterator[int]:
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


def matches(
    item: Compiled, masked: str, folded: str | None, bounds: list[int]
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


def trie_pattern(words: Sequence[str], space: str = r"\s+") -> str:
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
