"""What part of a Markdown text is prose the blameless check reads, and what is not.

Not checked: fenced and indented code, inline code, block quotes (quoted chat logs), text in
quotation marks, URLs and link targets, HTML comments. :func:`unchecked_regions` gives their
spans; the checker blanks them with :data:`FILLER` (same length, so offsets stay exact).
Pure: text in, spans out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

FILLER = "\x00"  # replaces text that is not checked; no pattern can match across it


# --- what is not checked ----------------------------------------------------------------------

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
_BLOCK_START = re.compile(r"^[ ]{0,3}(?:#|```|~~~|[-*+][ \t]|\d{1,9}[.)][ \t])")
_QUOTE_LINE = re.compile(r"^[ ]{0,3}>")
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
# URLs are found from their "://", "www." or "mailto:" (quick literal scans), then widened.
_URL_MARK = re.compile(r"://|www\.|mailto:|<")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}\Z")
_URL_REST = re.compile(r"[^\s<>\"`\x00]+")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00]*>")
_LINK_DESTINATION = re.compile(r"\]\([^()\s\x00]*(?:\s+\"[^\"\n]*\")?\)")
_BACKTICKS = re.compile(r"`+")
_BLOCK_BREAK = re.compile(
    r"\n[ \t]*\n|\n(?=[ ]{0,3}(?:#|[-*+][ \t]|\d{1,9}[.)][ \t]))", re.MULTILINE
)
_DOUBLE_QUOTES = re.compile('["“”«»„「」]')
_CLOSERS = {"“": "”", "«": "»", "„": "“", "「": "」", '"': '"'}
_SINGLE_QUOTED = re.compile(  # the mark first (a quick scan), then what comes before it
    r"'(?<![\w'‘’]')(?=\S)(?:[^'\n\x00]|(?<=\w)'(?=\w))+?(?<=\S)'(?![\w'])"
    r"|‘(?<![\w'‘’]‘)(?=\S)(?:[^‘’\n\x00]|(?<=\w)’(?=\w))+?(?<=\S)’(?!\w)"
)


def unchecked_regions(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` character ranges the check skips, sorted and disjoint."""
    masked = mask(text)
    return [m.span() for m in re.finditer(FILLER + "+", masked)] if FILLER in masked else []


def mask(text: str) -> str:
    """``text`` with every unchecked region replaced by :data:`FILLER` (same length)."""
    spans = _line_regions(text)
    masked = _apply(text, spans)
    masked = _apply(masked, _inline_regions(masked))
    return _apply(masked, _quoted_regions(masked))


def _apply(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        parts.append(text[position:start])
        parts.append(FILLER * (end - start))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Each line's start, its end (before the newline) and its text."""
    start = 0
    length = len(text)
    while start <= length:
        end = text.find("\n", start)
        if end < 0:
            end = length
        yield start, end, text[start:end]
        start = end + 1


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _line_regions(text: str) -> list[tuple[int, int]]:
    """Fenced and indented code blocks, block quotes (with lazy continuation lines), HTML
    comments and link reference definitions."""
    spans: list[tuple[int, int]] = []
    fence: tuple[str, int] | None = None  # the open fence's character and length
    previous_blank = True
    in_code = False
    in_quote = False
    list_content = -1  # the content column of the list we are in, or -1
    for start, end, line in _lines(text):
        stripped = line.strip()
        if fence is not None:
            spans.append((start, end))
            closing = _FENCE.match(line)
            if (
                closing
                and closing.group(1)[0] == fence[0]
                and len(closing.group(1)) >= fence[1]
                and not line[closing.end() :].strip()
            ):
                fence = None
            continue
        if not stripped:
            previous_blank, in_quote = True, False
            continue
        opening = _FENCE.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = (opening.group(1)[0], len(opening.group(1)))
            spans.append((start, end))
            previous_blank = in_code = in_quote = False
            continue
        indent = _indent(line)
        code_indent = (list_content if list_content >= 0 else 0) + 4
        if indent >= code_indent and (previous_blank or in_code):
            spans.append((start, end))
            in_code, previous_blank = True, False
            continue
        in_code = False
        if _QUOTE_LINE.match(line) or (in_quote and not _BLOCK_START.match(line)):
            spans.append((start, end))
            in_quote, previous_blank = True, False
            continue
        in_quote = False
        item = _LIST_ITEM.match(line)
        if item:
            list_content = len(item.group(1)) + len(item.group(2)) + max(1, len(item.group(3)))
        elif indent < max(list_content, 1) and previous_blank:
            list_content = -1
        previous_blank = False
    # HTML comments, by plain search: an unclosed one runs to the end, as in Markdown.
    position = text.find("<!--")
    while position >= 0:
        close = text.find("-->", position + 4)
        end = len(text) if close < 0 else close + 3
        spans.append((position, end))
        position = text.find("<!--", end)
    spans.extend(m.span() for m in _REFERENCE.finditer(text))
    return spans


def block_bounds(text: str) -> list[int]:
    """The offsets where a paragraph (or list item, heading) ends: quotes and code spans do
    not run past them."""
    return [m.start() for m in _BLOCK_BREAK.finditer(text)]


def _inline_regions(text: str) -> list[tuple[int, int]]:
    """Inline code spans (a backtick run closed by the next run of the same length in the
    same paragraph), URLs and link destinations. Linear in the text's length."""
    spans: list[tuple[int, int]] = []
    if "`" in text:
        bounds = block_bounds(text)
        runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
        following: list[int] = [-1] * len(runs)  # the next run of the same length
        last: dict[int, int] = {}
        for index in range(len(runs) - 1, -1, -1):
            size = runs[index][1] - runs[index][0]
            following[index] = last.get(size, -1)
            last[size] = index
        index = 0
        while index < len(runs):
            closer = following[index]
            start = runs[index][0]
            if closer >= 0 and _same_block(bounds, start, runs[closer][0]):
                spans.append((start, runs[closer][1]))
                index = closer + 1
            else:
                index += 1
    spans.extend(_url_regions(text))
    spans.extend((m.start() + 1, m.end()) for m in _LINK_DESTINATION.finditer(text))
    return spans


def _url_regions(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    covered = 0
    for mark in _URL_MARK.finditer(text):
        position = mark.start()
        if position < covered:
            continue
        if mark.group() == "<":
            link = _AUTOLINK.match(text, position)
            if link:
                spans.append(link.span())
                covered = link.end()
            continue
        start = position
        if mark.group() == "://":
            scheme = _URL_SCHEME.search(text, max(0, position - 31), position)
            if scheme is None:
                continue
            start = scheme.start()
        elif start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # "www." or "mailto:" inside a word
        rest = _URL_REST.match(text, mark.end())
        if rest is None:
            continue
        end = rest.end()
        while end > rest.start() and text[end - 1] in ".,;:!?)]'":
            end -= 1  # the sentence's punctuation, not the URL's
        spans.append((start, end))
        covered = end
    return spans


def _same_block(bounds: list[int], start: int, end: int) -> bool:
    return bisect.bisect_right(bounds, start) == bisect.bisect_right(bounds, end)


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    """Text between quotation marks, within one paragraph. Straight double quotes pair up in
    order; an unmatched mark quotes nothing."""
    spans: list[tuple[int, int]] = []
    if any(mark in text for mark in _CLOSERS) or any(m in text for m in "”»」"):
        bounds = block_bounds(text)
        opened: tuple[int, str] | None = None
        for match in _DOUBLE_QUOTES.finditer(text):
            position, mark = match.start(), match.group()
            if opened is not None:
                if not _same_block(bounds, opened[0], position):
                    opened = None
                elif mark == _CLOSERS[opened[1]]:
                    spans.append((opened[0], position + 1))
                    opened = None
                    continue
            if opened is None and mark in _CLOSERS:
                opened = (position, mark)
    masked = _apply(text, spans)
    if "'" in masked or "‘" in masked:
        spans.extend(m.span() for m in _SINGLE_QUOTED.finditer(masked))
    return spans
