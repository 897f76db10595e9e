"""The checks across a whole catalog: names unique per kind, every reference to something that
exists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from incidentdesk.core.catalog.checking import Checker

if TYPE_CHECKING:
    from incidentdesk.core.catalog.model import Catalog


def cross_check(catalog: Catalog, check: Checker) -> None:
    """Names unique per kind; every reference names something that exists."""
    _unique_names(catalog, check)
    references = _References(catalog, check)
    references.of_people()
    references.of_teams()
    references.of_services()
    references.of_policies()


def _add(check: Checker, obj: Any, entity: str, key: str, message: str) -> None:
    check.add(check.positions.get(id(obj)), entity, key, message)


def _unique_names(catalog: Catalog, check: Checker) -> None:
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
                message = f"is '{name}', which another {what} uses too."
                _add(check, item, f"{what} '{name}'", key, message)
            seen.add(name.casefold())


class _References:
    """Every name one entity gives another, looked up."""

    def __init__(self, catalog: Catalog, check: Checker) -> None:
        self.catalog, self.check = catalog, check
        self.teams = {t.name.casefold(): t for t in catalog.teams}
        self.people = {p.handle.casefold() for p in catalog.people}
        self.policies = {p.name.casefold() for p in catalog.policies}
        self.targets = {t.name.casefold(): t for t in catalog.targets}

    def ref(self, obj: Any, entity: str, key: str, value: str | None, pool: Any, kind: str) -> None:
        # An entry that was itself refused is named in the file: no second problem for it.
        table = {"a team": "teams", "a policy": "policies", "a target": "targets"}.get(
            kind, "people"
        )
        declared = self.check.declared.get(table, ())
        if value is not None and value.casefold() not in {*pool, *declared}:
            _add(self.check, obj, entity, key, f"names '{value}', which is not {kind}.")

    def of_people(self) -> None:
        for person in self.catalog.people:
            entity = f"person '{person.handle}'"
            self.ref(person, entity, "team", person.team, self.teams, "a team")
            team = self.teams.get(person.team.casefold())
            if team is not None and person.handle not in team.members:
                message = f"is '{team.name}', but that team's members leave them out."
                _add(self.check, person, entity, "team", message)

    def of_teams(self) -> None:
        for team in self.catalog.teams:
            entity = f"team '{team.name}'"
            for member in team.members:
                self.ref(team, entity, "members", member, self.people, "a person's handle")
            policy, chat_target = team.escalation_policy, team.chat_target
            self.ref(team, entity, "escalation_policy", policy, self.policies, "a policy")
            self.ref(team, entity, "chat_target", chat_target, self.targets, "a target")
            chat = self.targets.get((chat_target or "").casefold())
            if chat is not None and not chat.is_chat:
                message = (
                    f"names '{chat.name}', a {chat.adapter} target; "
                    "a chat target is slack or teams."
                )
                _add(self.check, team, entity, "chat_target", message)

    def of_services(self) -> None:
        for service in self.catalog.services:
            entity = f"service '{service.name}'"
            self.ref(service, entity, "team", service.team, self.teams, "a team")
            override = service.escalation_policy
            self.ref(service, entity, "escalation_policy", override, self.policies, "a policy")

    def of_policies(self) -> None:
        declared = self.check.declared.get("targets", ())
        for policy in self.catalog.policies:
            position = self.check.positions.get(id(policy))
            for number, level in enumerate(policy.levels):
                for name in level.targets:
                    if name.casefold() in {*self.targets, *declared}:
                        continue
                    where = None if position is None else (*position, "policies.levels", number)
                    self.check.add(
                        where,
                        f"escalation policy '{policy.name}', level {number + 1}",
                        "targets",
                        f"names '{name}', which is not a target.",
                    )
