"""Counts in words agree with their number ("1 person", never "1 people")."""

from __future__ import annotations

import pytest

from incidentdesk.core.plural import counted


@pytest.mark.parametrize(
    ("count", "noun", "said"),
    [
        (1, "person", "1 person"),
        (0, "person", "0 people"),
        (3, "person", "3 people"),
        (1, "incident", "1 incident"),
        (2, "incident", "2 incidents"),
        (2, "policy", "2 policies"),
        (1, "more time", "1 more time"),
        (4, "change", "4 changes"),
    ],
)
def test_counted_agrees_with_its_number(count: int, noun: str, said: str) -> None:
    assert counted(count, noun) == said
