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
