"""When the timeline names who recorded an entry beside its author."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.provenance import identities, shown_recorder

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ID = "01a25051-2d1f-7e7a-9c73-b85d8e8e1544"
CATALOG = identities(
    [
        ("Priya Patel", "ppatel", "priya@example.com"),
        ("Sam Scribe", "sam", None),
    ]
)


def note(author: str, recorded_by: str | None) -> Event:
    return Event(ID, ID, "note.added", {"text": "x"}, T0, 1, author, "dev", recorded_by, T0)


@pytest.mark.parametrize(
    ("author", "recorded_by", "shown"),
    [
        ("Priya Patel", None, None),  # local only: no server identity yet
        ("priya", "priya", None),
        ("Priya", "PRIYA", None),  # logins and names differ in case only
        ("Priya Patel", "priya_patel", None),  # the same name, punctuation aside
        ("Priya Patel", "ppatel", None),  # her catalog handle
        ("Priya Patel", "priya", None),  # her e-mail login
        ("ppatel", "priya", None),  # an author written as the handle
        ("Priya Patel", "sam", "sam"),  # the scribe wrote it for her: shown
        ("Priya Patel", "incidentdesk_app", "incidentdesk_app"),  # the shared old login
        ("Unknown Person", "priya", "priya"),  # not in the catalog: shown
    ],
)
def test_the_recorder_is_shown_when_it_is_not_one_of_the_authors_names(
    author: str, recorded_by: str | None, shown: str | None
) -> None:
    assert shown_recorder(note(author, recorded_by), CATALOG) == shown


def test_without_a_catalog_only_the_authors_own_name_hides_the_recorder() -> None:
    assert shown_recorder(note("Priya Patel", "priya")) == "priya"
    assert shown_recorder(note("Priya Patel", "priyapatel")) is None
