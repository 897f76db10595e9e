"""Completion for the quick entry: which slot of a command the caret is in (a command, a
role, a person, a status or a severity), and what fits there."""

from __future__ import annotations

from dataclasses import dataclass

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import STATUS_LABELS, STATUSES
from incidentdesk.core.incident.quick import BY_NAME, COMMANDS, SPACED_DATE_TIME, WORD, SlotKind
from incidentdesk.core.incident.roles import ROLES, parse_role
from incidentdesk.core.incident.severity import SEVERITIES


@dataclass(frozen=True)
class CompletionSlot:
    """The word being typed at the end of a line, and what kind of thing completes it.

    Attributes:
        kind: a command name, a role, a person, a status or a severity.
        start: where the word starts in the line.
        prefix: the word as typed so far (a person's name may hold blanks).
    """

    kind: SlotKind
    start: int
    prefix: str


@dataclass(frozen=True)
class Completion:
    """One thing the word being typed could become.

    Attributes:
        insert: the text that replaces the word.
        label: what the list shows.
        more: more words follow (so a blank goes after the inserted text).
    """

    insert: str
    label: str
    more: bool = False


def completion_slot(line: str) -> CompletionSlot | None:
    """Where completion applies in ``line`` (the text up to the cursor), if anywhere."""
    return _slot(line, _after_blanks(line, 0))


def _slot(line: str, pos: int) -> CompletionSlot | None:
    word = WORD.match(line, pos)
    if word is None or line[pos] != "/" or line.startswith("//", pos):
        return None
    if word.end() == len(line):
        return CompletionSlot("command", pos, line[pos:])
    info = BY_NAME.get(word[0][1:].lower())
    arg = _after_blanks(line, word.end())
    rest = line[arg:]
    if info is None or info.name not in ("pin", "at", "status", "sev", "role"):
        return None
    if info.name == "pin":
        return _slot(line, arg)
    if info.name == "at":
        when = SPACED_DATE_TIME.match(line, arg) or WORD.match(line, arg)
        if when is None or when.end() == len(line):
            return None
        return _slot(line, _after_blanks(line, when.end()))
    if info.name == "role":
        return _role_slot(line, arg)
    if rest and rest.split()[0] != rest:
        return None  # the status or severity is typed and followed by more
    return CompletionSlot("status" if info.name == "status" else "severity", arg, rest)


def _role_slot(line: str, arg: int) -> CompletionSlot | None:
    rest = line[arg:]
    if not rest or rest.split()[0] == rest:
        return CompletionSlot("role", arg, rest)
    words = list(WORD.finditer(line, arg))
    for count in range(min(3, len(words)), 0, -1):
        last = words[count - 1]
        if last.end() == len(line):
            continue  # the word is still being typed
        try:
            parse_role(line[arg : last.end()])
        except DomainError:
            continue
        start = _after_blanks(line, last.end())
        return CompletionSlot("person", start, line[start:])
    return None


def _after_blanks(line: str, pos: int) -> int:
    return len(line) - len(line[pos:].lstrip())


def completions(slot: CompletionSlot, *, people: list[str]) -> list[Completion]:
    """What can complete the word in ``slot``, best first; empty when it is already complete.

    Matching ignores case; a person also matches on any of their names ("kim" → Alex Kim).
    """
    typed = slot.prefix.casefold()
    if slot.kind == "command":
        found = [
            Completion(f"/{c.name}", f"{c.usage}  —  {c.summary}", more=c.name != "help")
            for c in COMMANDS
            if any(f"/{n}".startswith(typed) for n in (c.name, *c.aliases))
        ]
        exact = typed.removeprefix("/") in BY_NAME
    elif slot.kind == "role":
        found = [
            Completion(r.key, f"{r.key}  —  {r.label}", more=True)
            for r in ROLES
            if r.key.startswith(typed) or r.label.casefold().startswith(typed)
        ]
        exact = any(typed == r.key for r in ROLES)
    elif slot.kind == "status":
        found = [
            Completion(s, f"{s}  —  {STATUS_LABELS[s]}") for s in STATUSES if s.startswith(typed)
        ]
        exact = typed in STATUSES
    elif slot.kind == "severity":
        found = [
            Completion(str(s.level), f"{s.level}  —  {s.code}: {s.summary}")
            for s in SEVERITIES
            if str(s.level).startswith(typed) or s.code.casefold().startswith(typed)
        ]
        exact = any(typed in (str(s.level), s.code.casefold()) for s in SEVERITIES)
    else:
        found = [
            Completion(p, p)
            for p in people
            if p.casefold().startswith(typed)
            or any(w.startswith(typed) for w in p.casefold().split()[1:])
        ]
        exact = any(typed == p.casefold() for p in people)
    return [] if exact and len(found) <= 1 else found
