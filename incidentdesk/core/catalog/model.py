"""The service ownership catalog: who owns each service and how to reach them.

A catalog is kept as code, in a TOML file (or imported from Backstage, see
:mod:`incidentdesk.core.catalog.backstage`), checked whole, then recorded in the journal as one
``catalog.imported`` event under :data:`CATALOG_ID`, so it syncs like everything else. It holds
secret *names* only; secret values live in the keyring (``incidentdesk secret set NAME``).

The TOML format (every table is an array of tables; see ``resources/catalog/example.toml``)::

    [[people]]
    handle = "priya"                   # unique; teams list people by handle
    name = "Priya Raman"
    email = "priya@example.com"        # optional
    team = "payments"                  # the person's home team (it must list them)
    timezone = "Europe/London"         # an IANA time zone; default "UTC"

    [[teams]]
    name = "payments"
    members = ["priya", "tom"]         # handles; default: the people whose home team it is
    escalation_policy = "payments"     # optional: a team without one cannot be paged
    chat_target = "slack-payments"     # optional: a slack or teams target

    [[services]]
    name = "checkout"
    team = "payments"                  # the owning team
    tier = 1                           # 1 (most critical) .. 4
    runbook_url = "https://…"          # optional, http(s)
    dashboard_url = "https://…"        # optional, http(s)
    slo = "99.95% of checkouts succeed over 28 days"   # optional
    escalation_policy = "payments"     # optional: overrides the team's policy
    system = "storefront"              # optional: a grouping of services

    [[policies]]
    name = "payments"
    repeat = 1                         # times the whole policy runs again (0..10)
    [[policies.levels]]                # in order; each level: at least one target
    targets = ["pagerduty-payments"]
    ack_timeout_minutes = 5            # 1..1440

    [[targets]]
    name = "pagerduty-payments"
    adapter = "pagerduty"              # pagerduty, opsgenie, slack, teams or webhook
    secret = "pagerduty/payments"      # the NAME of a secret, never its value
    options = { severity = "critical" }

Options are free-form (strings, numbers, booleans, lists and tables) and handed to the
adapter; these are checked: ``region`` (``us`` or ``eu``), ``severity`` (pagerduty:
critical, error, warning, info), ``responders`` (opsgenie: a list of tables with ``type``
and ``name``, ``id`` or ``username``), ``url`` and every ``*_url`` (http or https; a
webhook needs ``url``), ``purpose`` (text; ``"incident channel"`` marks the dedicated
incident channel of a slack or teams target).

Names (people's handles, teams, services, policies, targets) are unique within their kind.
Errors name the file, the line when known, the entity and the field.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.journal.ids import CATALOG_ID

Payload = dict[str, Any]

__all__ = ["CATALOG_ID"]  # and the names below; the id itself lives in core/ids.py

ADAPTERS: tuple[str, ...] = ("pagerduty", "opsgenie", "slack", "teams", "webhook")
CHAT_ADAPTERS: tuple[str, ...] = ("slack", "teams")
INCIDENT_CHANNEL = "incident channel"
TIERS = range(1, 5)
ACK_TIMEOUTS = range(1, 1441)
REPEATS = range(0, 11)
REGIONS = ("us", "eu")
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}")
_SECRET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Person:
    """Someone who can be reached; ``handle`` is the unique key teams use."""

    name: str
    handle: str
    email: str | None
    team: str
    timezone: str = "UTC"


@dataclass(frozen=True)
class Team:
    """A team: its members (handles), its escalation policy, its chat target."""

    name: str
    members: tuple[str, ...]
    escalation_policy: str | None = None
    chat_target: str | None = None


@dataclass(frozen=True)
class Service:
    """A service and its owning team; ``escalation_policy`` overrides the team's."""

    name: str
    team: str
    tier: int
    runbook_url: str | None = None
    dashboard_url: str | None = None
    slo: str | None = None
    escalation_policy: str | None = None
    system: str | None = None


@dataclass(frozen=True)
class Level:
    """One escalation level: who is notified, and how long to wait for an acknowledgement."""

    targets: tuple[str, ...]
    ack_timeout_minutes: int


@dataclass(frozen=True)
class EscalationPolicy:
    """Ordered levels, run ``repeat`` more times when nobody acknowledges."""

    name: str
    levels: tuple[Level, ...]
    repeat: int = 0


@dataclass(frozen=True)
class NotificationTarget:
    """Where a notification goes: an adapter, the name of its secret, adapter options."""

    name: str
    adapter: str
    secret: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_chat(self) -> bool:
        """A Slack or Teams target (chat messages rather than pages)."""
        return self.adapter in CHAT_ADAPTERS


@dataclass(frozen=True)
class Catalog:
    """A whole, checked catalog (build one with :func:`parse_toml` or
    :func:`catalog_from_dict`; the lookups assume its references hold)."""

    people: tuple[Person, ...] = ()
    teams: tuple[Team, ...] = ()
    services: tuple[Service, ...] = ()
    policies: tuple[EscalationPolicy, ...] = ()
    targets: tuple[NotificationTarget, ...] = ()

    @cached_property
    def _index(self) -> dict[str, dict[str, Any]]:
        # Written once into the instance's __dict__ (allowed on a frozen dataclass).
        def by(items: Iterable[Any], key: str) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for item in items:
                found.setdefault(getattr(item, key).casefold(), item)
            return found

        return {
            "services": by(self.services, "name"),
            "teams": by(self.teams, "name"),
            "people": by(self.people, "handle"),
            "policies": by(self.policies, "name"),
            "targets": by(self.targets, "name"),
        }

    def service(self, name: str) -> Service:
        """The service called ``name`` (case-insensitive)."""
        found: Service = _find(self._index["services"], name, "service")
        return found

    def team(self, name: str) -> Team:
        """The team called ``name`` (case-insensitive)."""
        found: Team = _find(self._index["teams"], name, "team")
        return found

    def person(self, handle: str) -> Person:
        """The person with this handle (case-insensitive)."""
        found: Person = _find(self._index["people"], handle, "person")
        return found

    def policy(self, name: str) -> EscalationPolicy:
        """The escalation policy called ``name``."""
        found: EscalationPolicy = _find(self._index["policies"], name, "escalation policy")
        return found

    def target(self, name: str) -> NotificationTarget:
        """The notification target called ``name``."""
        found: NotificationTarget = _find(self._index["targets"], name, "notification target")
        return found

    def policy_for_service(self, name: str) -> EscalationPolicy:
        """The service's own policy, else its team's.

        Raises:
            NotFound: no such service, or neither the service nor its team names a policy.
        """
        service = self.service(name)
        chosen = service.escalation_policy or self.team(service.team).escalation_policy
        if chosen is None:
            raise NotFound(
                f"Service '{service.name}' has no escalation policy: neither it nor team "
                f"'{service.team}' names one in the catalog."
            )
        return self.policy(chosen)

    def owners(self, service: str) -> list[Person]:
        """The members of the service's owning team, in the team's order."""
        team = self.team(self.service(service).team)
        return [self.person(handle) for handle in team.members]

    def targets_for_level(self, service: str, level: int) -> list[NotificationTarget]:
        """Who is notified at ``level`` (1 is the first) of the service's policy."""
        policy = self.policy_for_service(service)
        if not 1 <= level <= len(policy.levels):
            raise DomainError(
                f"Escalation policy '{policy.name}' has levels 1 to {len(policy.levels)}; "
                f"there is no level {level}."
            )
        return [self.target(name) for name in policy.levels[level - 1].targets]

    def chat_targets(self) -> list[NotificationTarget]:
        """Slack and Teams targets, dedicated incident channels first."""
        chats = [t for t in self.targets if t.is_chat]
        return sorted(chats, key=lambda t: t.options.get("purpose") != INCIDENT_CHANNEL)

    def search(self, text: str) -> list[Service]:
        """Services matching every word of ``text`` (case-insensitive) in their name, system,
        SLO, owning team, owners' names, handles and emails, or escalation policy."""
        words = text.casefold().split()
        found = []
        for service in self.services:
            haystack = self._search_text(service)
            if all(word in haystack for word in words):
                found.append(service)
        return found

    def counts(self) -> dict[str, int]:
        """How many of each kind of entity the catalog holds."""
        return {
            "teams": len(self.teams),
            "people": len(self.people),
            "services": len(self.services),
            "policies": len(self.policies),
            "targets": len(self.targets),
        }

    def secret_names(self) -> dict[str, list[str]]:
        """Every secret name the catalog uses, with the targets that use it."""
        names: dict[str, list[str]] = {}
        for target in self.targets:
            names.setdefault(target.secret, []).append(target.name)
        return names

    def _search_text(self, service: Service) -> str:
        parts = [service.name, service.team, service.system or "", service.slo or ""]
        team = self.team(service.team)
        parts += [team.escalation_policy or "", service.escalation_policy or ""]
        for person in self.owners(service.name):
            parts += [person.name, person.handle, person.email or ""]
        return "\n".join(parts).casefold()


def _find(index: dict[str, Any], name: str, what: str) -> Any:
    found = index.get(str(name).strip().casefold())
    if found is None:
        raise NotFound(f"The catalog has no {what} '{name}'.")
    return found


# ------------------------------------------------------------------------------ errors


class CatalogError(DomainError):
    """A catalog file or payload breaks a rule; the message names where.

    Attributes:
        problems: every problem found (the message is the first one).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        message = problems[0]
        if len(problems) > 1:
            more = len(problems) - 1
            message += f" ({more} more problem{'s' if more > 1 else ''} in the file.)"
        super().__init__(message)


class _Lines:
    """Where tables and keys sit in a TOML text (tomllib gives no positions)."""

    _HEADER = re.compile(r"\s*\[\[\s*([A-Za-z_.\s]+?)\s*\]\]")
    _KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str | None) -> None:
        self.tables: dict[tuple[Any, ...], tuple[int, dict[str, int]]] = {}
        if text is None:
            return
        counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = re.sub(r"\s", "", header.group(1))
                top = name.split(".")[0]
                # A nested table ([[policies.levels]]) is counted within its parent's entry.
                parent: tuple[Any, ...] = (top, counts.get((top,), 1) - 1) if "." in name else ()
                slot = (*parent, name)
                index = counts.get(slot, 0)
                counts[slot] = index + 1
                current = (*parent, name, index) if parent else (top, index)
                self.tables[current] = (number, {})
                continue
            key = self._KEY.match(line)
            if key and current is not None:
                self.tables[current][1].setdefault(key.group(1), number)

    def line(self, where: tuple[Any, ...], key: str | None = None) -> int | None:
        found = self.tables.get(where)
        if found is None:
            return None
        return found[1].get(key, found[0]) if key else found[0]


class _Checker:
    """Collects located problems while a catalog is read."""

    def __init__(self, source: str, text: str | None) -> None:
        self.source = source
        self.lines = _Lines(text)
        self.problems: list[str] = []
        self.positions: dict[int, tuple[Any, ...]] = {}  # id(entity) → its table and index
        self.declared: dict[str, set[str]] = {}  # table → every name written, valid or not

    def keep(
        self, table: str, items: list[Mapping[str, Any]], read: Callable[..., Any]
    ) -> list[Any]:
        """Read each entry of a table, remembering where each entity came from."""
        found = []
        key = "handle" if table == "people" else "name"
        for entry in items:
            if isinstance(entry.get(key), str):
                self.declared.setdefault(table, set()).add(entry[key].strip().casefold())
        for index, entry in enumerate(items):
            obj = read(entry, index, self)
            if obj is not None:
                self.positions[id(obj)] = (table, index)
                found.append(obj)
        return found

    def add(self, where: tuple[Any, ...] | None, entity: str, key: str | None, msg: str) -> None:
        line = self.lines.line(where, key) if where else None
        place = f"{self.source}, line {line}" if line else self.source
        subject = f"{entity}: '{key}' " if key else f"{entity}: "
        self.problems.append(f"{place}: {subject}{msg}")


# ------------------------------------------------------------------------------ reading


def parse_toml(text: str, source: str = "catalog.toml") -> Catalog:
    """Read and check a TOML catalog (see the module doc for the format).

    Raises:
        CatalogError: the text is not TOML, or breaks a rule; the message names ``source``,
            the line, the entity and the field.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", detail)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", detail).rstrip(".")
        place = f"{source}, line {found.group(1)}" if found else source
        raise CatalogError([f"{place}: not valid TOML: {reason}."]) from None
    return catalog_from_dict(data, source, text)


TOP_LEVEL = ("people", "teams", "services", "policies", "targets")


def catalog_from_dict(
    data: Mapping[str, Any], source: str = "the catalog", text: str | None = None
) -> Catalog:
    """Check a catalog given as plain data (the shape of the TOML file, and of
    :func:`catalog_to_dict`); ``text`` is the TOML it came from, for line numbers.

    Raises:
        CatalogError: every problem found, located; the message is the first one.
    """
    check = _Checker(source, text)
    if not isinstance(data, Mapping):
        raise CatalogError([f"{source}: a catalog must be a table of tables."])
    for key in data:
        if key not in TOP_LEVEL:
            check.add(
                None, "the catalog", str(key), f"is not part of a catalog ({', '.join(TOP_LEVEL)})."
            )
    entries = {key: _entries(data.get(key, []), key, check) for key in TOP_LEVEL}
    people = check.keep("people", entries["people"], _person)
    teams = check.keep("teams", entries["teams"], partial(_team, people=people))
    services = check.keep("services", entries["services"], _service)
    policies = check.keep("policies", entries["policies"], _policy)
    targets = check.keep("targets", entries["targets"], _target)
    catalog = Catalog(tuple(people), tuple(teams), tuple(services), tuple(policies), tuple(targets))
    _cross_check(catalog, check)
    if check.problems:
        raise CatalogError(check.problems)
    return catalog


def _entries(value: Any, key: str, check: _Checker) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        check.add(None, "the catalog", key, f"must be an array of tables ([[{key}]]).")
        return []
    return value


class _Entry:
    """Reads the fields of one table, reporting problems located at it."""

    def __init__(
        self,
        data: Mapping[str, Any],
        where: tuple[Any, ...],
        entity: str,
        check: _Checker,
        allowed: tuple[str, ...],
    ) -> None:
        self.data, self.where, self.check = data, where, check
        name = data.get("handle" if entity == "person" else "name")
        self.entity = f"{entity} '{name}'" if isinstance(name, str) else f"{entity} {where[-1] + 1}"
        self.ok = True
        for key in data:
            if key not in allowed:
                self.fail(str(key), f"is not a field of a {entity} ({', '.join(allowed)}).")

    def fail(self, key: str | None, message: str) -> None:
        self.ok = False
        self.check.add(self.where, self.entity, key, message)

    def text(self, key: str, required: bool = True, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing.")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be non-empty text.")
            return default
        return value.strip()

    def name(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not _NAME.fullmatch(value):
            self.fail(
                key,
                f"is '{value}', which is not a usable name (letters, digits and . _ : / @ + -, "
                "starting with a letter or digit, at most 100).",
            )
            return None
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key, required=False)
        if value is not None and not _URL.fullmatch(value):
            self.fail(key, f"is '{value}', which is not an http or https URL.")
        return value

    def integer(self, key: str, allowed: range, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "is missing.")
            return allowed.start
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            self.fail(key, f"must be a whole number from {allowed.start} to {allowed.stop - 1}.")
            return allowed.start
        return value

    def names(self, key: str, default: list[str] | None = None) -> tuple[str, ...]:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, "is missing.")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of names.")
            return ()
        seen: list[str] = []
        for item in value:
            if item in seen:
                self.fail(key, f"lists '{item}' twice.")
            seen.append(item)
        return tuple(seen)


def _person(data: Mapping[str, Any], index: int, check: _Checker) -> Person | None:
    fields = ("handle", "name", "email", "team", "timezone")
    e = _Entry(data, ("people", index), "person", check, fields)
    handle, name = e.name("handle"), e.text("name")
    email, team = e.text("email", required=False), e.name("team")
    timezone = e.text("timezone", required=False, default="UTC") or "UTC"
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        e.fail("email", f"is '{email}', which is not an email address.")
    if not _valid_zone(timezone):
        e.fail("timezone", f"is '{timezone}', which is not a time zone (such as Europe/Paris).")
    if not e.ok or handle is None or name is None or team is None:
        return None
    return Person(name, handle, email, team, timezone)


def _valid_zone(name: str) -> bool:
    if name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _team(
    data: Mapping[str, Any], index: int, check: _Checker, people: list[Person]
) -> Team | None:
    fields = ("name", "members", "escalation_policy", "chat_target")
    e = _Entry(data, ("teams", index), "team", check, fields)
    name = e.name("name")
    home = [p.handle for p in people if p.team == name]
    members = e.names("members", default=home)
    policy, chat = e.name("escalation_policy", False), e.name("chat_target", False)
    if not e.ok or name is None:
        return None
    return Team(name, members, policy, chat)


def _service(data: Mapping[str, Any], index: int, check: _Checker) -> Service | None:
    fields = (
        "name",
        "team",
        "tier",
        "runbook_url",
        "dashboard_url",
        "slo",
        "escalation_policy",
        "system",
    )
    e = _Entry(data, ("services", index), "service", check, fields)
    name, team, tier = e.name("name"), e.name("team"), e.integer("tier", TIERS)
    runbook, dashboard = e.url("runbook_url"), e.url("dashboard_url")
    slo, policy = e.text("slo", required=False), e.name("escalation_policy", False)
    system = e.name("system", False)
    if not e.ok or name is None or team is None:
        return None
    return Service(name, team, tier, runbook, dashboard, slo, policy, system)


def _policy(data: Mapping[str, Any], index: int, check: _Checker) -> EscalationPolicy | None:
    e = _Entry(data, ("policies", index), "escalation policy", check, ("name", "levels", "repeat"))
    name, repeat = e.name("name"), e.integer("repeat", REPEATS, default=0)
    raw = data.get("levels")
    levels: list[Level] = []
    if not isinstance(raw, list) or not raw or not all(isinstance(v, Mapping) for v in raw):
        e.fail("levels", "must hold at least one level ([[policies.levels]]).")
    else:
        for number, level in enumerate(raw):
            where = ("policies", index, "policies.levels", number)
            le = _Entry(level, where, "level", check, ("targets", "ack_timeout_minutes"))
            le.entity = f"{e.entity}, level {number + 1}"
            targets = le.names("targets")
            if le.ok and not targets:
                le.fail("targets", "must name at least one target.")
            timeout = le.integer("ack_timeout_minutes", ACK_TIMEOUTS)
            e.ok = e.ok and le.ok
            levels.append(Level(targets, timeout))
    if not e.ok or name is None:
        return None
    return EscalationPolicy(name, tuple(levels), repeat)


def _target(data: Mapping[str, Any], index: int, check: _Checker) -> NotificationTarget | None:
    fields = ("name", "adapter", "secret", "options")
    e = _Entry(data, ("targets", index), "target", check, fields)
    name, adapter = e.name("name"), e.text("adapter")
    if adapter is not None and adapter not in ADAPTERS:
        e.fail("adapter", f"is '{adapter}', which is not an adapter ({', '.join(ADAPTERS)}).")
    secret = _secret_field(e)
    options = data.get("options", {})
    if not isinstance(options, Mapping):
        e.fail("options", "must be a table.")
        options = {}
    else:
        for problem in option_problems(adapter or "", options):
            e.fail("options", problem)
    if not e.ok or name is None or adapter is None or secret is None:
        return None
    return NotificationTarget(name, adapter, secret, _plain(options))


def _secret_field(e: _Entry) -> str | None:
    value = e.data.get("secret")
    if value is None:
        e.fail("secret", "is missing (the name of a secret, such as pagerduty/checkout).")
        return None
    # The value is never echoed: someone may have pasted the secret itself here.
    if not isinstance(value, str) or not _SECRET_NAME.fullmatch(value) or "://" in value:
        e.fail(
            "secret",
            "must be the NAME of a secret (such as pagerduty/checkout), not its value; "
            "store the value with `incidentdesk secret set NAME`.",
        )
        return None
    return value


def check_secret_name(name: str) -> str:
    """A usable secret name (``pagerduty/checkout``), stripped.

    Raises:
        DomainError: the name has characters a secret name cannot hold (not echoed).
    """
    cleaned = str(name).strip()
    if not _SECRET_NAME.fullmatch(cleaned):
        raise DomainError(
            "A secret name is letters, digits and . _ / - (at most 100), such as "
            "pagerduty/checkout."
        )
    return cleaned


def option_problems(adapter: str, options: Mapping[str, Any]) -> list[str]:
    """What is wrong with a target's options (each a sentence fragment), if anything."""
    problems: list[str] = []
    for key, value in options.items():
        if not _json_able(value):
            problems.append(f"'{key}' holds a value that is not text, a number or a list.")
        elif (key == "url" or str(key).endswith("_url")) and not (
            isinstance(value, str) and _URL.fullmatch(value)
        ):
            problems.append(f"'{key}' must be an http or https URL.")
    if adapter == "webhook" and "url" not in options:
        problems.append("a webhook target needs 'url', the address to post to.")
    region = options.get("region")
    if region is not None and region not in REGIONS:
        problems.append(f"'region' must be one of {', '.join(REGIONS)}.")
    severity = options.get("severity")
    if adapter == "pagerduty" and severity is not None and severity not in PAGERDUTY_SEVERITIES:
        problems.append(f"'severity' must be one of {', '.join(PAGERDUTY_SEVERITIES)}.")
    responders = options.get("responders")
    if responders is not None and not _responders_ok(responders):
        problems.append(
            "'responders' must be a list of tables with 'type' (team, user, escalation or "
            "schedule) and 'name', 'id' or 'username'."
        )
    purpose = options.get("purpose")
    if purpose is not None and not isinstance(purpose, str):
        problems.append("'purpose' must be text, such as \"incident channel\".")
    return problems


def _responders_ok(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    return all(
        isinstance(r, Mapping)
        and r.get("type") in RESPONDER_TYPES
        and any(isinstance(r.get(k), str) and r[k] for k in ("name", "id", "username"))
        for r in value
    )


def _json_able(value: Any) -> bool:
    if isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_able(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _json_able(v) for k, v in value.items())
    return False


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cross_check(catalog: Catalog, check: _Checker) -> None:
    """Names unique per kind; every reference names something that exists."""

    def add(obj: Any, entity: str, key: str, message: str) -> None:
        check.add(check.positions.get(id(obj)), entity, key, message)

    kinds: list[tuple[str, Iterable[Any], str]] = [
        ("person", catalog.people, "handle"),
        ("team", catalog.teams, "name"),
        ("service", catalog.services, "name"),
        ("escalation policy", catalog.policies, "name"),
        ("target", catalog.targets, "name"),
    ]
    for what, items, key in kinds:
        seen: set[str] = set()
        for item in items:
            name = getattr(item, key)
            if name.casefold() in seen:
                add(item, f"{what} '{name}'", key, f"is '{name}', which another {what} uses too.")
            seen.add(name.casefold())
    teams = {t.name.casefold(): t for t in catalog.teams}
    people = {p.handle.casefold() for p in catalog.people}
    policies = {p.name.casefold() for p in catalog.policies}
    targets = {t.name.casefold(): t for t in catalog.targets}

    def ref(obj: Any, entity: str, key: str, value: str | None, pool: Any, kind: str) -> None:
        # An entry that was itself refused is named in the file: no second problem for it.
        table = {"a team": "teams", "a policy": "policies", "a target": "targets"}.get(
            kind, "people"
        )
        if value is not None and value.casefold() not in {*pool, *check.declared.get(table, ())}:
            add(obj, entity, key, f"names '{value}', which is not {kind}.")

    for person in catalog.people:
        entity = f"person '{person.handle}'"
        ref(person, entity, "team", person.team, teams, "a team")
        team = teams.get(person.team.casefold())
        if team is not None and person.handle not in team.members:
            add(
                person, entity, "team", f"is '{team.name}', but that team's members leave them out."
            )
    for team in catalog.teams:
        entity = f"team '{team.name}'"
        for member in team.members:
            ref(team, entity, "members", member, people, "a person's handle")
        ref(team, entity, "escalation_policy", team.escalation_policy, policies, "a policy")
        ref(team, entity, "chat_target", team.chat_target, targets, "a target")
        chat = targets.get((team.chat_target or "").casefold())
        if chat is not None and not chat.is_chat:
            add(team, entity, "chat_target", f"names '{chat.name}', a {chat.adapter} target; "
                "a chat target is slack or teams.")  # fmt: skip
    for service in catalog.services:
        entity = f"service '{service.name}'"
        ref(service, entity, "team", service.team, teams, "a team")
        override = service.escalation_policy
        ref(service, entity, "escalation_policy", override, policies, "a policy")
    for policy in catalog.policies:
        position = check.positions.get(id(policy))
        for number, level in enumerate(policy.levels):
            for name in level.targets:
                if name.casefold() not in {*targets, *check.declared.get("targets", ())}:
                    where = None if position is None else (*position, "policies.levels", number)
                    check.add(
                        where,
                        f"escalation policy '{policy.name}', level {number + 1}",
                        "targets",
                        f"names '{name}', which is not a target.",
                    )


# ------------------------------------------------------------------------------ writing


def catalog_to_dict(catalog: Catalog) -> Payload:
    """The catalog as plain JSON-able data, in the TOML file's shape (``None`` left out)."""

    def clean(obj: Any) -> dict[str, Any]:
        row = {k: v for k, v in obj.__dict__.items() if v is not None}
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in row.items()}

    return {
        "people": [clean(p) for p in catalog.people],
        "teams": [clean(t) for t in catalog.teams],
        "services": [clean(s) for s in catalog.services],
        "policies": [
            {
                "name": p.name,
                "repeat": p.repeat,
                "levels": [
                    {"targets": list(lv.targets), "ack_timeout_minutes": lv.ack_timeout_minutes}
                    for lv in p.levels
                ],
            }
            for p in catalog.policies
        ],
        "targets": [
            {"name": t.name, "adapter": t.adapter, "secret": t.secret, "options": _plain(t.options)}
            for t in catalog.targets
        ],
    }


# --------------------------------------------------------------------------- the event


def _imported(p: Mapping[str, Any]) -> Payload:
    source = p.get("source", "")
    if not isinstance(source, str):
        raise DomainError("The catalog event's 'source' must be text.")
    if "catalog" not in p:
        raise DomainError("The event is missing 'catalog'.")
    data = p["catalog"]
    if not isinstance(data, Mapping):
        raise DomainError("The catalog event's 'catalog' must be a table of tables.")
    catalog = catalog_from_dict(data, "the catalog event")
    return {"source": source, "catalog": catalog_to_dict(catalog)}


# Payload validators for this module's event kinds; merged into events.VALIDATORS.
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {"catalog.imported": _imported}
