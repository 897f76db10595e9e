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

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidentdesk.core.catalog.checking import CatalogError, Checker, Entry
from incidentdesk.core.catalog.consistency import cross_check
from incidentdesk.core.catalog.options import SECRET_NAME_RE, option_problems, plain
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.journal.ids import CATALOG_ID

# And the names below; the id itself lives in core/journal/ids.py, the error in checking.py.
__all__ = ["CATALOG_ID", "CatalogError"]

ADAPTERS: tuple[str, ...] = ("pagerduty", "opsgenie", "slack", "teams", "webhook")
CHAT_ADAPTERS: tuple[str, ...] = ("slack", "teams")
INCIDENT_CHANNEL = "incident channel"
TIERS = range(1, 5)
ACK_TIMEOUTS = range(1, 1441)
REPEATS = range(0, 11)


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
    check = Checker(source, text)
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
    cross_check(catalog, check)
    if check.problems:
        raise CatalogError(check.problems)
    return catalog


def _entries(value: Any, key: str, check: Checker) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        check.add(None, "the catalog", key, f"must be an array of tables ([[{key}]]).")
        return []
    return value


def _person(data: Mapping[str, Any], index: int, check: Checker) -> Person | None:
    fields = ("handle", "name", "email", "team", "timezone")
    e = Entry(data, ("people", index), "person", check, fields)
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


def _team(data: Mapping[str, Any], index: int, check: Checker, people: list[Person]) -> Team | None:
    fields = ("name", "members", "escalation_policy", "chat_target")
    e = Entry(data, ("teams", index), "team", check, fields)
    name = e.name("name")
    home = [p.handle for p in people if p.team == name]
    members = e.names("members", default=home)
    policy, chat = e.name("escalation_policy", False), e.name("chat_target", False)
    if not e.ok or name is None:
        return None
    return Team(name, members, policy, chat)


def _service(data: Mapping[str, Any], index: int, check: Checker) -> Service | None:
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
    e = Entry(data, ("services", index), "service", check, fields)
    name, team, tier = e.name("name"), e.name("team"), e.integer("tier", TIERS)
    runbook, dashboard = e.url("runbook_url"), e.url("dashboard_url")
    slo, policy = e.text("slo", required=False), e.name("escalation_policy", False)
    system = e.name("system", False)
    if not e.ok or name is None or team is None:
        return None
    return Service(name, team, tier, runbook, dashboard, slo, policy, system)


def _policy(data: Mapping[str, Any], index: int, check: Checker) -> EscalationPolicy | None:
    e = Entry(data, ("policies", index), "escalation policy", check, ("name", "levels", "repeat"))
    name, repeat = e.name("name"), e.integer("repeat", REPEATS, default=0)
    raw = data.get("levels")
    levels: list[Level] = []
    if not isinstance(raw, list) or not raw or not all(isinstance(v, Mapping) for v in raw):
        e.fail("levels", "must hold at least one level ([[policies.levels]]).")
    else:
        for number, level in enumerate(raw):
            where = ("policies", index, "policies.levels", number)
            le = Entry(level, where, "level", check, ("targets", "ack_timeout_minutes"))
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


def _target(data: Mapping[str, Any], index: int, check: Checker) -> NotificationTarget | None:
    fields = ("name", "adapter", "secret", "options")
    e = Entry(data, ("targets", index), "target", check, fields)
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
    return NotificationTarget(name, adapter, secret, plain(options))


def _secret_field(e: Entry) -> str | None:
    value = e.data.get("secret")
    if value is None:
        e.fail("secret", "is missing (the name of a secret, such as pagerduty/checkout).")
        return None
    # The value is never echoed: someone may have pasted the secret itself here.
    if not isinstance(value, str) or not SECRET_NAME_RE.fullmatch(value) or "://" in value:
        e.fail(
            "secret",
            "must be the NAME of a secret (such as pagerduty/checkout), not its value; "
            "store the value with `incidentdesk secret set NAME`.",
        )
        return None
    return value
