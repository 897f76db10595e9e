"""Who recorded an entry, beside who it says wrote it.

The author an event names is a claim its workstation makes; ``recorded_by`` is the login role
the shared server saw insert it (a fact it stamps). They are different kinds of name: a
display name ("Priya Patel") and a login ("priya"). The recorder is shown whenever it says
something the author does not: it is present, and it is none of the author's own names —
the author itself, the author without spaces or punctuation ("priyapatel"), or, from the
service catalog, the handle or e-mail login of the person with that name or handle. In
doubt it is shown: a scribe writing for the commander is normal, and it is never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from incidentdesk.core.journal.events import Event

Identities = Mapping[str, frozenset[str]]


def _plain(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def identities(people: Iterable[tuple[str, str, str | None]]) -> dict[str, frozenset[str]]:
    """The other names of each person, from the catalog's (name, handle, email) triples.

    Keyed by the casefolded name and handle, so an author written either way is found.
    """
    found: dict[str, frozenset[str]] = {}
    for name, handle, email in people:
        names = {name, handle}
        if email and "@" in email:
            names.add(email.split("@", 1)[0])
        own = frozenset(_plain(n) for n in names if n)
        for key in (name, handle):
            found[key.casefold()] = found.get(key.casefold(), frozenset()) | own
    return found


def shown_recorder(event: Event, known: Identities | None = None) -> str | None:
    """The recorder to show beside ``event``'s author, or None when it adds nothing (the
    event has not been through the shared server, or the recorder is the author)."""
    recorder = event.recorded_by
    if not recorder:
        return None
    plain = _plain(recorder)
    if plain == _plain(event.author):
        return None
    if known and plain in known.get(event.author.casefold(), frozenset()):
        return None
    return recorder
