"""The quick entry's small language: one typed line, parsed into one command.

Plain text is a note. A line starting with ``/`` is a command: ``/sev 2``,
``/status mitigated``, ``/role scribe Alex Kim``, ``/decision roll back``, and so on.
``/action Bob: roll back by Friday`` is also an action item; its owner and due date are read
by :mod:`incidentdesk.core.postmortem.action_text` (:func:`describe_action` previews them).
``/at`` and ``/pin`` wrap what follows: ``/at 14:05 /decision roll back`` back-dates the
decision, ``/pin /decision roll back`` adds it pinned, and ``/pin`` alone pins the entry
selected in the timeline. ``//`` starts a note that itself begins with a slash.

Parsing is pure: the caller gives the current time and the local zone, so ``/at 14:05``
means the same in a test as on a commander's laptop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import STATUS_LABELS, STATUSES, parse_status
from incidentdesk.core.incident.links import clean_bridge, clean_impact, is_clear
from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES, Role, parse_role
from incidentdesk.core.incident.severity import parse_severity
from incidentdesk.core.journal.events import NOTE_KINDS
from incidentdesk.core.postmortem.action_text import parse_action
from incidentdesk.core.timefmt import FUTURE_SLACK, parse_when

QuickAction = Literal[
    "note", "severity", "status", "role", "pin_selected", "help", "bridge", "impact"
]
SlotKind = Literal["command", "role", "person", "status", "severity"]


@dataclass(frozen=True)
class QuickCommand:
    """What one line typed into the quick entry asks for.

    Attributes:
        action: ``note`` (add a timeline entry), ``severity``, ``status``, ``role``,
            ``pin_selected`` (pin the entry selected in the timeline) or ``help``.
        text: the note's text; for ``help``, the command asked about (empty: all of them);
            for ``bridge`` and ``impact``, the link or line (empty: remove it).
        kind: the note's kind: note, decision, action, observation or update.
        value: the severity code (``SEV2``) or the status (``mitigated``).
        role: the role's key (``scribe``).
        person: who takes the role, as typed (the Desk checks the name).
        at: when it happened (UTC) when back-dated with ``/at``; None means now.
        pinned: the note is added pinned.
    """

    action: QuickAction
    text: str = ""
    kind: str = "note"
    value: str = ""
    role: str = ""
    person: str = ""
    at: datetime | None = None
    pinned: bool = False


@dataclass(frozen=True)
class QuickCommandInfo:
    """One slash command, for help and completion.

    Attributes:
        name: the command without its slash.
        usage: an example of its use.
        summary: what it does, in one line.
        aliases: other names that mean the same command.
    """

    name: str
    usage: str
    summary: str
    aliases: tuple[str, ...] = ()


_STATUS_LIST = ", ".join(STATUSES)
COMMANDS: tuple[QuickCommandInfo, ...] = (
    QuickCommandInfo(
        "sev", "/sev 2", "Change the severity (1 is the worst; SEV1 works too).", ("severity",)
    ),
    QuickCommandInfo("status", "/status mitigated", f"Move the incident along: {_STATUS_LIST}."),
    QuickCommandInfo(
        "role", "/role scribe Alex Kim", "Give a role to someone (a handover if held)."
    ),
    QuickCommandInfo("decision", "/decision roll back", "Record a decision."),
    QuickCommandInfo(
        "action",
        "/action Bob: roll back by Friday",
        "Add an action item: owner as Bob: or @bob, due as a date, weekday, tomorrow or +3d.",
    ),
    QuickCommandInfo("observation", "/obs errors falling", "Record an observation.", ("obs",)),
    QuickCommandInfo("update", "/update status page", "Record an update sent to stakeholders."),
    QuickCommandInfo("note", "/note text", "A plain note, the same as typing without a slash."),
    QuickCommandInfo(
        "pin", "/pin text", "Add a pinned note; /pin alone pins the entry selected in the timeline."
    ),
    QuickCommandInfo(
        "at",
        "/at 14:05 …",
        "Back-date what follows: HH:MM local time (yesterday if still to come) or ISO 8601.",
    ),
    QuickCommandInfo(
        "bridge", "/bridge https://zoom.us/j/…", "Set the bridge link (/bridge none removes it)."
    ),
    QuickCommandInfo(
        "impact", "/impact EU customers cannot pay", "Say what customers notice, in one line."
    ),
    QuickCommandInfo("help", "/help", "List these commands."),
)
BY_NAME = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}
COMMANDS_BY_NAME = {c.name: c for c in COMMANDS}
_COMMAND_LIST = ", ".join(f"/{c.name}" for c in COMMANDS)

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", re.ASCII)
# "/at 2026-11-26 14:05 …": a date and a time separated by a blank are one time.
SPACED_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\s+[0-9]{1,2}:[0-9]{2}\S*", re.ASCII)
WORD = re.compile(r"\S+")
_SEV_WORD = re.compile(r"sev-?([0-9])", re.ASCII)  # "/sev2" is "/sev 2"


def parse_quick(text: str, *, now: datetime, local_tz: tzinfo | None = None) -> QuickCommand:
    """Parse one line typed into the quick entry.

    Args:
        text: the line as typed.
        now: the current time (aware); ``/at HH:MM`` later than this means yesterday.
        local_tz: the zone of times typed without an offset; the system's when omitted.

    Returns:
        The command the line asks for.

    Raises:
        DomainError: the line is empty, names an unknown command, or a command's
            argument is missing or wrong; the message says what to type instead.
    """
    line = text.strip()
    if not line:
        raise DomainError("Type a note, or a command such as /help.")
    return _parse(line, now=now, local_tz=local_tz, at=None, pinned=False)


def _parse(
    line: str, *, now: datetime, local_tz: tzinfo | None, at: datetime | None, pinned: bool
) -> QuickCommand:
    if line.startswith("//") or not line.startswith("/"):
        text = line[1:] if line.startswith("//") else line
        return QuickCommand("note", text=text, at=at, pinned=pinned)
    info, rest = _command(line)
    name = info.name
    if name == "at":
        if at is not None:
            raise DomainError("/at is given twice; give one time.")
        when, remainder = _split_time(rest)
        moment = _parse_at(when, now=now, local_tz=local_tz)
        if not remainder:
            raise DomainError(f"Say what happened at {when}, for example /at {when} saw the spike.")
        return _parse(remainder, now=now, local_tz=local_tz, at=moment, pinned=pinned)
    if name == "pin":
        if pinned:
            raise DomainError("/pin is given twice; once is enough.")
        if not rest:
            if at is not None:
                raise DomainError(
                    "Pinning the selected entry happens now and cannot be back-dated; "
                    "leave out /at."
                )
            return QuickCommand("pin_selected")
        return _parse(rest, now=now, local_tz=local_tz, at=at, pinned=True)
    if name in NOTE_KINDS:
        if not rest:
            raise DomainError(f"Write the {name} after /{name}, for example {info.usage}.")
        return QuickCommand("note", text=rest, kind=name, at=at, pinned=pinned)
    if name in LINK_COMMANDS:
        return _parse_link(name, rest, at=at, pinned=pinned)
    if pinned:
        raise DomainError(
            f"/{name} cannot be pinned: /pin adds a pinned note, or alone pins the entry "
            "selected in the timeline."
        )
    if name == "help":
        if at is not None:
            raise DomainError("/help cannot be back-dated; type /help on its own.")
        return QuickCommand("help", text=_help_topic(rest))
    if name == "sev":
        if not rest:
            raise DomainError(
                "Give the severity after /sev, for example /sev 2 (SEV1 is the worst)."
            )
        return QuickCommand("severity", value=parse_severity(rest).code, at=at)
    if name == "status":
        if not rest:
            raise DomainError(f"Give the new status after /status: one of {', '.join(STATUSES)}.")
        return QuickCommand("status", value=parse_status(rest), at=at)
    role, person = _role_and_person(rest)
    return QuickCommand("role", role=role.key, person=person, at=at)


def _command(line: str) -> tuple[QuickCommandInfo, str]:
    """The command a ``/word`` names (``/sev2`` is ``/sev 2``), and the rest of the line."""
    word, rest = _split_word(line)
    name = word[1:].lower()
    spaced = _SEV_WORD.fullmatch(name)
    if spaced:
        name, rest = "sev", f"{spaced[1]} {rest}".strip()
    info = BY_NAME.get(name)
    if word == "/":
        raise DomainError(f"Type a command after the slash: one of {_COMMAND_LIST}.")
    if info is None:
        shown = word if len(word) <= 30 else word[:29] + "…"
        raise DomainError(
            f"'{shown}' is not a command; use one of {_COMMAND_LIST}, or // to start a note "
            "with a slash."
        )
    return info, rest


LINK_COMMANDS = ("bridge", "impact")


def _parse_link(name: str, rest: str, *, at: datetime | None, pinned: bool) -> QuickCommand:
    """``/bridge URL`` and ``/impact text``: checked here, so a typo stays in the box."""
    if at is not None or pinned:
        raise DomainError(f"/{name} takes effect now; leave out /at and /pin.")
    if not rest:
        example = COMMANDS_BY_NAME[name].usage
        raise DomainError(f"Give the {_LINK_WHAT[name]} after /{name}, for example {example}.")
    action: QuickAction = "bridge" if name == "bridge" else "impact"
    if is_clear(rest):
        return QuickCommand(action, text="")
    value = clean_bridge(rest) if action == "bridge" else clean_impact(rest)
    return QuickCommand(action, text=value)


_LINK_WHAT = {"bridge": "bridge link", "impact": "customer impact"}


def _split_word(line: str) -> tuple[str, str]:
    """The first word, and the rest without its leading blanks."""
    parts = line.split(None, 1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _help_topic(rest: str) -> str:
    if not rest:
        return ""
    info = BY_NAME.get(rest.split()[0].lstrip("/").lower())
    if info is None:
        raise DomainError(f"There is no command '{rest}'; the commands are {_COMMAND_LIST}.")
    return info.name


def _role_and_person(rest: str) -> tuple[Role, str]:
    """Split ``scribe Alex Kim`` or ``incident commander Alex Kim`` into role and person."""
    words = rest.split()
    known = ", ".join(r.key for r in ROLES)
    if not words:
        raise DomainError(
            f"Name the role and the person, for example /role scribe Alex Kim ({known})."
        )
    # The longest leading words that name a role win, so labels such as "ops lead" work.
    for count in range(min(3, len(words) - 1), 0, -1):
        try:
            role = parse_role(" ".join(words[:count]))
        except DomainError:
            continue
        return role, " ".join(words[count:])
    try:
        role = parse_role(words[0])
    except DomainError:
        raise DomainError(f"'{words[0]}' is not a role; use one of {known}.") from None
    raise DomainError(
        f"Name the person who takes {role.label}, for example /role {role.key} Alex Kim."
    )


def _split_time(rest: str) -> tuple[str, str]:
    if not rest:
        raise DomainError("Give a time after /at, for example /at 14:05 saw the spike.")
    spaced = SPACED_DATE_TIME.match(rest)
    if spaced:
        return " ".join(spaced[0].split()), rest[spaced.end() :].strip()
    return _split_word(rest)


def _parse_at(when: str, *, now: datetime, local_tz: tzinfo | None) -> datetime:
    """``HH:MM`` (today, local time; yesterday if later than now) or an ISO 8601 time."""
    clock = _CLOCK.fullmatch(when)
    if clock:
        hour, minute, second = (int(g) if g else 0 for g in clock.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise DomainError(f"'{when}' is not a time of day; use HH:MM on the 24-hour clock.")
        return _today_or_yesterday(time(hour, minute, second), now=now, local_tz=local_tz)
    if not re.match(r"[0-9]{4}-", when, re.ASCII):
        raise DomainError(
            f"'{when}' is not a time; write /at 14:05 (local time) or an ISO 8601 time "
            "such as 2026-11-26T14:05+01:00."
        )
    return parse_when(when, now=now, local_tz=local_tz)


def _today_or_yesterday(clock: time, *, now: datetime, local_tz: tzinfo | None) -> datetime:
    # Calendar days, not 24 hours, so yesterday's 14:05 stays 14:05 across a clock change.
    today = _local(now, local_tz).date()
    naive = datetime.combine(today, clock)
    moment = (naive.replace(tzinfo=local_tz) if local_tz else naive.astimezone()).astimezone(UTC)
    if moment <= now + FUTURE_SLACK:
        return moment
    naive -= timedelta(days=1)
    return (naive.replace(tzinfo=local_tz) if local_tz else naive.astimezone()).astimezone(UTC)


def _local(moment: datetime, local_tz: tzinfo | None) -> datetime:
    return moment.astimezone(local_tz) if local_tz else moment.astimezone()


def describe(command: QuickCommand, *, now: datetime, local_tz: tzinfo | None = None) -> str:
    """A short phrase for what a command does, for a preview or a status-bar message.

    For example ``Decision, pinned · 14:05 yesterday`` or ``Severity → SEV2``.
    """
    c = command
    if c.action == "note" and c.kind == "action":
        what = describe_action(c.text, today=_local(now, local_tz).date())
        what += ", pinned" if c.pinned else ""
    elif c.action == "note":
        what = c.kind.capitalize() + (", pinned" if c.pinned else "")
    elif c.action in ("severity", "status"):
        what = (
            f"Severity → {c.value}"
            if c.action == "severity"
            else f"Status → {STATUS_LABELS[c.value]}"
        )
    elif c.action == "role":
        what = f"{ROLE_BY_KEY[c.role].label} → {c.person}"
    elif c.action in LINK_COMMANDS:
        what = _describe_link(c)
    else:
        what = "Pin the selected entry" if c.action == "pin_selected" else "Help"
    if command.at is None:
        return what
    return f"{what} · {format_local(command.at, now=now, local_tz=local_tz)}"


def describe_action(text: str, *, today: date) -> str:
    """What ``/action …`` will add: ``Action item · Bob · due Fri 2026-12-11``."""
    try:
        parsed = parse_action(text, today=today)
    except DomainError:
        return "Action item"
    parts = ["Action item", *([parsed.owner] if parsed.owner else [])]
    if parsed.due is not None:
        parts.append(f"due {parsed.due.strftime('%a')} {parsed.due.isoformat()}")
    return " · ".join(parts)


def _describe_link(command: QuickCommand) -> str:
    what = "Bridge" if command.action == "bridge" else "Customer impact"
    return f"{what} → {command.text}" if command.text else f"{what} removed"


def format_local(moment: datetime, *, now: datetime, local_tz: tzinfo | None = None) -> str:
    """A back-dated time as a commander reads it: ``14:05``, ``14:05 yesterday`` or a date."""
    local, today = _local(moment, local_tz), _local(now, local_tz).date()
    clock = local.strftime("%H:%M:%S" if local.second else "%H:%M")
    if local.date() == today:
        return clock
    if local.date() == today - timedelta(days=1):
        return f"{clock} yesterday"
    return f"{local.date().isoformat()} {clock}"


def help_lines(topic: str = "") -> list[tuple[str, str]]:
    """``(usage, summary)`` for every command, or for the one named by ``topic``."""
    return [(c.usage, c.summary) for c in COMMANDS if not topic or c.name == topic]
