"""Search: what a person types, turned into a safe SQLite FTS5 query; hits and highlights.

A query is words (all must match, in any order), ``"quoted phrases"`` and ``prefix*`` terms.
Case and accents do not matter: the index folds both (``unicode61 remove_diacritics 2``), and
the same tokenizer reads the query. Every term is sent as an FTS5 string, so nothing a person
types (``AND``, ``NEAR``, ``^``, ``:``, ``(``, an unbalanced quote) is read as query syntax.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

# The snippet comes back from SQLite with the matches between these two characters. Control
# characters cannot occur in the indexed text (titles and notes refuse them), so the marks
# are never mistaken for a character of the text; private-use characters could be.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 24  # words of context in a snippet (FTS5 allows at most 64)
HITS_PER_INCIDENT = 3

# Scripts written without spaces between words: the index (unicode61) keeps a whole run of
# them as one token, so a term in them is searched as a prefix of such a run.
_UNSPACED_SCRIPTS = (
    "CJK UNIFIED IDEOGRAPH",
    "CJK COMPATIBILITY IDEOGRAPH",
    "HIRAGANA",
    "KATAKANA",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
)


@dataclass(frozen=True)
class SearchHit:
    """One entry that matched a search.

    Attributes:
        incident_id: the incident it belongs to.
        event_id: the entry: the incident's id for its title, else the note's (a
            correction is found under the note it corrects).
        title: the incident's title.
        severity: the incident's severity code.
        status: the incident's status.
        started_at: when the incident started (UTC), if known.
        snippet: plain text around the match; ``…`` where the text was cut.
        highlights: ``(start, end)`` offsets of the matched words in ``snippet``, in order.
    """

    incident_id: str
    event_id: str
    title: str
    severity: str
    status: str
    started_at: datetime | None
    snippet: str
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Term:
    """One term of a query: a word or a phrase, perhaps matched as a prefix."""

    text: str
    prefix: bool = False

    def fts5(self) -> str:
        """The term as an FTS5 string (never an operator or a column filter)."""
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")


def parse_query(query: str) -> list[Term]:
    """The searchable terms of what a person typed, in order, without repeats.

    Whitespace separates words; double quotes make a phrase (an unclosed quote runs to the
    end); a ``*`` right after a word or phrase makes it a prefix. A term with nothing the
    index keeps (punctuation or emoji only) is dropped.
    """
    text = _printable(query)
    terms: list[Term] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char == '"':
            close = text.find('"', i + 1)
            stop = end if close < 0 else close
            body, i = text[i + 1 : stop], min(stop + 1, end)
            prefix = i < end and text[i] == "*"
            i += prefix
        else:
            start = i
            while i < end and not text[i].isspace() and text[i] != '"':
                i += 1
            body = text[start:i].rstrip("*")
            prefix = len(body) < i - start
        body = " ".join(body.split())
        if not _searchable(body):
            continue
        term = Term(body, prefix or _ends_unspaced(body))
        if term not in terms:
            terms.append(term)
    return terms


def match_expression(query: str) -> str | None:
    """The FTS5 ``MATCH`` expression for a query; None when it has nothing to search for.

    Every term must match (FTS5's implicit AND). Safe for any input: it never makes an
    FTS5 syntax error.
    """
    terms = parse_query(query)
    return " ".join(t.fts5() for t in terms) if terms else None


def unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Split a snippet marked with :data:`MARK_OPEN`/:data:`MARK_CLOSE` into plain text
    and the ``(start, end)`` offsets of the marked parts (``end`` exclusive)."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in marked:
        if char == MARK_OPEN:
            start = length
        elif char == MARK_CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            plain.append(char)
            length += 1
    return "".join(plain), tuple(spans)


def emphasise(text: str, spans: Sequence[tuple[int, int]], before: str, after: str) -> str:
    """``text`` with ``before`` and ``after`` around each highlighted span (for a renderer
    that marks highlights inline, such as ``**bold**`` on a terminal)."""
    parts: list[str] = []
    position = 0
    for start, stop in spans:
        parts += [text[position:start], before, text[start:stop], after]
        position = stop
    parts.append(text[position:])
    return "".join(parts)


def _printable(query: str) -> str:
    # Control characters, lone surrogates (which cannot be sent to SQLite as UTF-8) and
    # other unassigned or format code points separate words like a space.
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Cn") else c for c in query)
    return unicodedata.normalize("NFC", text)


def _searchable(body: str) -> bool:
    # unicode61 keeps letters, numbers and private-use characters; the rest separates.
    return any(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Co" for c in body)


def _ends_unspaced(body: str) -> bool:
    last = next((c for c in reversed(body) if _searchable(c)), "")
    return unicodedata.name(last, "").startswith(_UNSPACED_SCRIPTS)
