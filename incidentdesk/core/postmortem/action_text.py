"""What a typed action says: who owns it and when it is due, read from the words.

``Bob: roll back auth-gateway by Friday`` is an action item for Bob, due next Friday.
The owner is a leading ``Name:`` (up to three words) or an ``@name`` anywhere; the due date
is a trailing ``by …``, ``due …`` or bare date: an ISO date (``2026-12-11``), a weekday
(``Friday`` is the next Friday, never today), ``today``, ``tomorrow``, or ``+3d`` / ``+2w``.
A trailing ``by …`` or ``due …`` that is not a date the parser knows (``by end of week``)
stays in the description, no due date is set, and :attr:`ParsedAction.notice` says so.

Pure: the caller passes ``today``, so ``Friday`` means the same in a test as at 3 a.m.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from incidentdesk.core.errors import DomainError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DUE_FORMS = "a date (2026-12-11), a weekday (Friday), today, tomorrow, +3d or +2w"

# "TODO: restart the pool" is not an action for someone called TODO.
_NOT_OWNERS = frozenset({"todo", "note", "fixme", "action", "ai", "followup", "follow-up", "fyi"})
_OWNER_PREFIX = re.compile(
    r"^\s*([^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,2})\s*:(?:\s+(.*))?$", re.S
)
_MENTION = re.compile(r"(?<![\w@])@([^\W\d_][\w.'’-]*)")
_RELATIVE = re.compile(r"\+([0-9]{1,3})\s*([dw])", re.ASCII | re.IGNORECASE)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_KEYWORDS = frozenset({"by", "due", "on"})
# Words that make a trailing "by …" read as a date someone meant, so it is worth a notice.
_TIMEISH = frozenset(
    {
        "next",
        "end",
        "eod",
        "eow",
        "eom",
        "cob",
        "week",
        "month",
        "noon",
        "tonight",
        "morning",
        "evening",
        "afternoon",
        "weekend",
        "midnight",
        "soon",
        "asap",
        "later",
        "quarter",
    }
)


@dataclass(frozen=True)
class ParsedAction:
    """An action item read from typed text.

    Attributes:
        description: the text without the owner prefix or mention and the due phrase.
        owner: the owner as typed (empty: nobody yet).
        due: the due date, if the text gave one the parser knows.
        notice: one sentence about what was not understood (empty when all was).
    """

    description: str
    owner: str = ""
    due: date | None = None
    notice: str = ""


def parse_due_text(text: str, *, today: date) -> date:
    """A due date from the forms a person types (see :data:`DUE_FORMS`).

    Raises:
        DomainError: anything else, naming the forms that work.
    """
    found = _due_word(text.strip().lower(), today)
    if found is None:
        raise DomainError(f"'{text.strip()}' is not a due date; use {DUE_FORMS}.")
    return found


def parse_action(
    text: str, *, today: date, owner: str = "", due: date | None = None
) -> ParsedAction:
    """Split typed action text into description, owner and due date.

    Args:
        text: what was typed after ``/action`` (or given to ``note --kind action``).
        today: the local date the text was typed on.
        owner: an owner given separately (``--owner``); it wins over one in the text.
        due: a due date given separately (``--due``); it wins over one in the text.

    Returns:
        The action item's parts; the description is never empty.

    Raises:
        DomainError: no text, or nothing left of it once the owner and date are taken out.
    """
    rest = " ".join(text.split())
    if not rest:
        raise DomainError("Write what needs doing, for example /action Bob: roll back by Friday.")
    found_due, rest, notice = (None, rest, "") if due is not None else _due(rest, today)
    found_owner, rest = _owner(rest)
    description = rest.strip(" ,;")
    if not description:
        raise DomainError(
            "Say what needs doing as well as who and when, for example Bob: roll back by Friday."
        )
    return ParsedAction(
        description=description,
        owner=owner.strip() or found_owner,
        due=due or found_due,
        notice=notice,
    )


def _owner(text: str) -> tuple[str, str]:
    prefix = _OWNER_PREFIX.match(text)
    if prefix and prefix[1].lower() not in _NOT_OWNERS:
        return prefix[1].lstrip("@"), prefix[2] or ""
    mention = _MENTION.search(text)
    if mention is None:
        return "", text
    name = mention[1].rstrip(".,;:")
    before, after = text[: mention.start()].rstrip(), text[mention.end() :].lstrip()
    if not before or not after:  # "@bob roll back" or "roll back @bob": drop the mention
        return name, f"{before} {after}".strip()
    return name, f"{before} {name} {after}"  # "ask @bob to roll back": keep the name


def _due(text: str, today: date) -> tuple[date | None, str, str]:
    """The due date at the end of ``text``, the text without it, and a notice."""
    words = text.split(" ")
    # The last "by", "due" or "on" among the final words starts the due phrase.
    for at in range(len(words) - 2, max(-1, len(words) - 7), -1):
        keyword = words[at].lower()
        if keyword not in _KEYWORDS:
            continue
        if keyword == "by" and at > 0 and words[at - 1].lower() == "due":
            at, keyword = at - 1, "due by"
        phrase = " ".join(words[at + len(keyword.split()) :]).rstrip(".")
        found = _due_word(phrase.lower(), today)
        if found is not None:
            return found, " ".join(words[:at]), _past(found, today)
        if _meant_as_date(keyword, phrase):
            shown = f"{' '.join(words[at : at + len(keyword.split())])} {phrase}"
            return (
                None,
                text,
                (f"'{shown}' is not a due date I know, so no due date is set; use {DUE_FORMS}."),
            )
        return None, text, ""
    if len(words) > 1:
        found = _due_word(words[-1].lower().rstrip("."), today)
        if found is not None:
            return found, " ".join(words[:-1]), _past(found, today)
    return None, text, ""


def _meant_as_date(keyword: str, phrase: str) -> bool:
    """Whether a phrase after ``by`` or ``due`` reads like a date someone meant."""
    words = phrase.lower().split()
    if keyword.startswith("due"):
        return len(words) <= 4
    return len(words) <= 4 and any(
        w in _TIMEISH or w.rstrip("s") in WEEKDAYS or any(c.isdigit() for c in w) for w in words
    )


def _past(found: date, today: date) -> str:
    return f"The due date {found.isoformat()} has already passed." if found < today else ""


def _due_word(word: str, today: date) -> date | None:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    relative = _RELATIVE.fullmatch(word)
    if relative:
        count = int(relative[1])
        return today + timedelta(days=count * (7 if relative[2].lower() == "w" else 1))
    if _ISO.fullmatch(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            return None
    for number, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            ahead = (number - today.weekday()) % 7
            return today + timedelta(days=ahead or 7)  # "Friday" on a Friday is next week's
    return None
