"""Validation of free text typed by people: titles, notes, names."""

from __future__ import annotations

import unicodedata

from incidentdesk.core.errors import DomainError

TITLE_MAX = 200
NOTE_MAX = 50_000
NAME_MAX = 100


def clean_text(value: str, *, what: str, max_chars: int, multiline: bool = False) -> str:
    """Normalise text and refuse what cannot be stored or shown sensibly.

    Text is NFC-normalised, line endings become ``\\n`` and surrounding blanks are stripped.
    Right-to-left and other scripts are kept as typed. Control characters (other than newline
    and tab in multi-line text) are refused, because they corrupt terminals and exports.

    Raises:
        DomainError: empty, too long, or containing a control character.
    """
    if not isinstance(value, str):
        raise DomainError(f"The {what} must be text.")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise DomainError(f"The {what} is empty.")
    if len(text) > max_chars:
        raise DomainError(
            f"The {what} is too long ({len(text):,} characters; the limit is {max_chars:,})."
        )
    allowed = "\n\t" if multiline else ""
    for position, char in enumerate(text, start=1):
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs"):
            name = "a line break" if char == "\n" else f"a control character (U+{ord(char):04X})"
            raise DomainError(f"The {what} contains {name} at position {position}; remove it.")
    return text


def clean_title(value: str) -> str:
    """A one-line incident title."""
    return clean_text(value, what="title", max_chars=TITLE_MAX)


def clean_note(value: str) -> str:
    """A timeline note: several lines allowed."""
    return clean_text(value, what="note", max_chars=NOTE_MAX, multiline=True)


def clean_name(value: str, what: str = "name") -> str:
    """A person's, service's or author's name."""
    return clean_text(value, what=what, max_chars=NAME_MAX)


# Shown, never hidden: characters that reorder or hide what a reader sees. Format characters
# (Cf: the bidirectional embeddings, overrides, isolates and marks, zero-width space and
# joiners, word joiner, BOM, soft hyphen, tag characters…), controls other than tab and
# newline (Cc), lone surrogates (Cs), the line and paragraph separators, and letters that
# draw nothing (Hangul fillers, the combining grapheme joiner).
_DRAW_NOTHING = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2028\u2029")
_ZWJ = "\u200d"
_EMOJI_MODIFIERS = frozenset("\ufe0f\u20e3") | frozenset(map(chr, range(0x1F3FB, 0x1F400)))


def is_hidden_char(char: str) -> bool:
    """Whether ``char`` would reorder or hide text around it (see :func:`reveal`)."""
    if char in "\n\t":
        return False
    return unicodedata.category(char) in ("Cf", "Cc", "Cs") or char in _DRAW_NOTHING


def marker(char: str) -> str:
    """The visible stand-in for a hidden character: ``⟨U+202E⟩``."""
    return f"⟨U+{ord(char):04X}⟩"


def reveal(text: str) -> str:
    """``text`` as it is shown: each character that could reorder or hide the rest of the
    line (a right-to-left override, a zero-width space, a soft hyphen, a tag character, a
    control) replaced by a visible marker such as ``⟨U+202E⟩``; everything else, including
    right-to-left scripts, unchanged. The stored text is never changed: only what is shown.

    A zero-width joiner inside an emoji sequence (👩‍💻) is kept: there it joins pictures,
    and it cannot reorder anything.

    >>> reveal("RTL \\u202egnp.exe\\u202c")
    'RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩'
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, quickly
    out: list[str] = []
    for index, char in enumerate(text):
        if not is_hidden_char(char) or _joins_emoji(text, index):
            out.append(char)
        else:
            out.append(marker(char))
    return "".join(out)


def _joins_emoji(text: str, index: int) -> bool:
    if text[index] != _ZWJ or index == 0 or index + 1 >= len(text):
        return False
    before, after = text[index - 1], text[index + 1]
    emoji_before = unicodedata.category(before) == "So" or before in _EMOJI_MODIFIERS
    return emoji_before and unicodedata.category(after) == "So"
