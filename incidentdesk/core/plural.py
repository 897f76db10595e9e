"""Counts in words: ``1 person``, ``3 people``, ``1 incident``, ``2 incidents``."""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s".
IRREGULAR = {"person": "people", "policy": "policies", "entry": "entries", "reply": "replies"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``count`` of it (``person`` or ``people``), without the number."""
    if count == 1:
        return singular
    return plural_form or IRREGULAR.get(singular, singular + "s")


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 person``, ``0 people``, ``3 people``: the number and its noun in agreement."""
    return f"{count} {plural(count, singular, plural_form)}"
