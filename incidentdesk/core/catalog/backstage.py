"""Backstage ``catalog-info.yaml`` (one or more YAML documents) → a service catalog.

What each kind of entity becomes:

- ``Group`` → a team (``metadata.name``; a group outside the ``default`` namespace is
  ``<namespace>/<name>``). Its members are the users whose ``spec.memberOf`` names it and
  those its ``spec.members`` lists.
- ``User`` → a person: handle ``metadata.name`` (``<namespace>/<name>`` outside the
  ``default`` namespace, so the same name in two namespaces gives two people), name
  ``spec.profile.displayName`` (else the handle), email ``spec.profile.email``, home team the
  first group of ``spec.memberOf`` that the files define, time zone UTC (Backstage has none).
  A user in no defined group is skipped, with the reason.
- ``Component`` → a service: owning team from ``spec.owner`` (``team-a``, ``group:team-a``
  or ``group:default/team-a``). A component owned by a *user* (``user:guest``) is kept: it
  gets a one-person team ``user-<handle>`` with that user as its only member, because a
  service must have an owner to page. An owner the files do not define skips the component,
  with the reason. Tier 3 unless the ``incidentdesk.io/tier`` annotation says 1..4;
  ``runbook_url`` and ``dashboard_url`` come from ``metadata.links`` (title or icon
  ``runbook`` / ``dashboard``) or the ``incidentdesk.io/runbook-url`` and
  ``incidentdesk.io/dashboard-url`` annotations; ``slo`` from ``incidentdesk.io/slo``.
  Components of type ``library`` are skipped (nobody is paged for a library).
- ``pagerduty.com/integration-key`` on a component → a PagerDuty target and a one-level
  policy ``pagerduty/<service>`` (acknowledgement timeout 30 minutes) that the service uses;
  the key itself is returned in ``secrets`` under the name ``pagerduty/<service>``, for the
  keyring. It is never part of the catalog.
- ``System`` → the ``system`` grouping of its components, when its owner is defined in the
  files; otherwise it is skipped with the reason and its components are imported without it.
- ``API``, ``Resource``, ``Domain``, ``Location``, ``Template`` and any other kind: skipped,
  with the reason.

Nothing here fails the whole import because of one entity: what is left out is said in
``skipped``. Only YAML that cannot be read, or a result that breaks the catalog's rules,
raises :class:`~incidentdesk.core.catalog.model.CatalogError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PyYAML loads only when a Backstage file is read (not at the app's start)
    import yaml

from incidentdesk.core.catalog.model import (
    Catalog,
    CatalogError,
    EscalationPolicy,
    Level,
    NotificationTarget,
    Person,
    Service,
    Team,
    catalog_from_dict,
)
from incidentdesk.core.catalog.payload import catalog_to_dict

PAGERDUTY_KEY = "pagerduty.com/integration-key"
TIER_ANNOTATION = "incidentdesk.io/tier"
DEFAULT_TIER = 3
PAGERDUTY_ACK_MINUTES = 30
IMPORTED_KINDS = ("Component", "System", "Group", "User")


@dataclass
class BackstageImport:
    """The outcome of reading Backstage entities.

    Attributes:
        catalog: the checked catalog (secret names only).
        skipped: one sentence per entity (or reference) left out, and why.
        secrets: secret name → value, for the keyring (never to be stored elsewhere).
    """

    catalog: Catalog
    skipped: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)


@dataclass
class _Doc:
    kind: str
    name: str
    namespace: str
    data: Mapping[str, Any]
    node: yaml.Node
    line: int

    @property
    def key(self) -> str:
        return self.name if self.namespace == "default" else f"{self.namespace}/{self.name}"

    @property
    def spec(self) -> Mapping[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, Mapping) else {}

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        notes = self.metadata.get("annotations")
        return notes if isinstance(notes, Mapping) else {}

    def line_of(self, *path: str) -> int:
        """The line of a field (1-based), else of the document."""
        import yaml

        node = self.node
        for key in path:
            if not isinstance(node, yaml.MappingNode):
                return self.line
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    node = v
                    break
            else:
                return self.line
        return int(node.start_mark.line) + 1


def parse_backstage(text: str, source: str = "catalog-info.yaml") -> BackstageImport:
    """Read Backstage entities (multi-document YAML) into a catalog.

    Raises:
        CatalogError: the YAML cannot be read, or the result breaks the catalog's rules;
            the message names ``source``, the line and the entity. It never holds an
            integration key.
    """
    docs, skipped = _documents(text, source)
    builder = _Builder(source, docs, skipped)
    return builder.build()


def _loader_without_aliases(yaml: Any) -> Any:
    """PyYAML's safe loader refusing aliases (``*name``): catalog files do not need them, and
    a few nested aliases expand into gigabytes (a "billion laughs" file)."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in a catalog", mark
                )
            return super().compose_node(parent, index)

    return Loader


def _documents(text: str, source: str) -> tuple[list[_Doc], list[str]]:
    import yaml

    loader = _loader_without_aliases(yaml)(text)
    docs: list[_Doc] = []
    skipped: list[str] = []
    try:
        number = 0
        while loader.check_node():
            node = loader.get_node()
            number += 1
            if node is None:
                continue
            line = int(node.start_mark.line) + 1
            data = loader.construct_document(node)
            where = f"{source}, line {line}"
            if data is None:
                continue
            if not isinstance(data, Mapping):
                skipped.append(f"{where}: document {number} is not an entity (no fields); skipped.")
                continue
            kind, meta = data.get("kind"), data.get("metadata")
            name = meta.get("name") if isinstance(meta, Mapping) else None
            if not isinstance(kind, str) or not isinstance(name, str) or not name.strip():
                skipped.append(
                    f"{where}: document {number} has no 'kind' or 'metadata.name'; skipped."
                )
                continue
            namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
            ns = (
                namespace.strip() if isinstance(namespace, str) and namespace.strip() else "default"
            )
            docs.append(_Doc(kind, name.strip(), ns, data, node, line))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{source}, line {mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or "it cannot be read"
        raise CatalogError([f"{place}: not valid YAML: {problem}."]) from None
    finally:
        loader.dispose()
    return docs, skipped


def _ref(value: Any, default_kind: str) -> tuple[str, str] | None:
    """``[kind:][namespace/]name`` → (kind, key) where key is ``name`` in the default
    namespace and ``namespace/name`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    found = re.fullmatch(r"(?:([A-Za-z]+):)?(?:([^/:]+)/)?([^/:]+)", value.strip())
    if not found:
        return None
    kind = (found.group(1) or default_kind).lower()
    namespace = found.group(2) or "default"
    name = found.group(3)
    return kind, name if namespace == "default" else f"{namespace}/{name}"


class _Builder:
    def __init__(self, source: str, docs: list[_Doc], skipped: list[str]) -> None:
        self.source = source
        self.docs = docs
        self.skipped = skipped
        self.secrets: dict[str, str] = {}
        self.groups = {d.key: d for d in docs if d.kind == "Group"}
        self.users: dict[str, _Doc] = {}
        for doc in docs:
            if doc.kind == "User":
                if doc.key in self.users:
                    self.skip(doc, "another User in this namespace has the same name")
                else:
                    self.users[doc.key] = doc

    def skip(self, doc: _Doc, reason: str, field_path: tuple[str, ...] = ()) -> None:
        line = doc.line_of(*field_path) if field_path else doc.line
        self.skipped.append(
            f"{self.source}, line {line}: {doc.kind} '{doc.key}' skipped: {reason}."
        )

    def build(self) -> BackstageImport:
        members = self._memberships()
        people = self._people(members)
        handles = {p.handle for p in people}
        teams = [
            Team(key, tuple(h for h in members.get(key, []) if h in handles)) for key in self.groups
        ]
        systems = self._systems(handles)
        services: list[Service] = []
        policies: list[EscalationPolicy] = []
        targets: list[NotificationTarget] = []
        for doc in self.docs:
            if doc.kind == "Component":
                self._component(doc, handles, systems, teams, services, policies, targets)
            elif doc.kind not in IMPORTED_KINDS:
                article = "an" if doc.kind[:1].lower() in "aeiou" else "a"
                self.skip(doc, f"{article} {doc.kind} has no place in the service catalog")
        catalog = Catalog(tuple(people), tuple(teams), tuple(services), tuple(policies),
                          tuple(targets))  # fmt: skip
        # Checked as any catalog is (names, references, URLs): a broken result fails whole.
        checked = catalog_from_dict(catalog_to_dict(catalog), self.source)
        self.skipped.sort(key=_line_number)
        return BackstageImport(checked, self.skipped, self.secrets)

    def _memberships(self) -> dict[str, list[str]]:
        """Group key → member handles, in file order (memberOf, then a group's members)."""
        members: dict[str, list[str]] = {key: [] for key in self.groups}
        for handle, user in self.users.items():
            raw = user.spec.get("memberOf", [])
            for item in raw if isinstance(raw, list) else []:
                ref = _ref(item, "group")
                if ref and ref[0] == "group" and ref[1] in members:
                    _add(members[ref[1]], handle)
        for key, group in self.groups.items():
            raw = group.spec.get("members", [])
            for item in raw if isinstance(raw, list) else []:
                ref = _ref(item, "user")
                if ref and ref[0] == "user" and ref[1] in self.users:
                    _add(members[key], ref[1])
        return members

    def _people(self, members: dict[str, list[str]]) -> list[Person]:
        people = []
        for handle, user in self.users.items():
            home = next((key for key, who in members.items() if handle in who), None)
            if home is None:
                self.skip(user, "the user is a member of no Group defined in these files")
                continue
            profile = user.spec.get("profile")
            profile = profile if isinstance(profile, Mapping) else {}
            display = profile.get("displayName")
            name = display.strip() if isinstance(display, str) and display.strip() else handle
            email = profile.get("email")
            email = email.strip() if isinstance(email, str) and email.strip() else None
            people.append(Person(name, handle, email, home))
        return people

    def _owner(self, doc: _Doc, handles: set[str], teams: list[Team] | None) -> str | None:
        """The team that owns ``doc``, or None (with the reason said)."""
        raw = doc.spec.get("owner")
        ref = _ref(raw, "group")
        if ref is None:
            self.skip(doc, "it names no owner ('spec.owner')", ("spec",))
            return None
        kind, key = ref
        if kind == "group":
            if key in self.groups:
                return key
            self.skip(doc, f"its owner, group '{key}', is not defined in these files",
                      ("spec", "owner"))  # fmt: skip
            return None
        if kind == "user":
            if key not in handles:
                self.skip(doc, f"its owner, user '{key}', is not defined in these files",
                          ("spec", "owner"))  # fmt: skip
                return None
            team = "user-" + key.replace("/", "-")
            if teams is not None and all(t.name != team for t in teams):
                teams.append(Team(team, (key,)))
            return team
        self.skip(doc, f"its owner '{raw}' is neither a group nor a user", ("spec", "owner"))
        return None

    def _systems(self, handles: set[str]) -> set[str]:
        """Systems whose owner is defined (others are skipped, with the reason)."""
        kept = set()
        for doc in self.docs:
            if doc.kind == "System" and self._owner(doc, handles, None) is not None:
                kept.add(doc.key)
        return kept

    def _component(
        self,
        doc: _Doc,
        handles: set[str],
        systems: set[str],
        teams: list[Team],
        services: list[Service],
        policies: list[EscalationPolicy],
        targets: list[NotificationTarget],
    ) -> None:
        if doc.spec.get("type") == "library":
            self.skip(doc, "it is a library, and nobody is paged for a library", ("spec", "type"))
            return
        team = self._owner(doc, handles, teams)
        if team is None:
            return
        system = None
        system_ref = _ref(doc.spec.get("system"), "system")
        if system_ref is not None:
            if system_ref[1] in systems:
                system = system_ref[1]
            else:
                line = doc.line_of("spec", "system")
                self.skipped.append(
                    f"{self.source}, line {line}: Component '{doc.key}' is imported without "
                    f"its system '{system_ref[1]}', which is not imported from these files."
                )
        policy = None
        key = self.doc_secret(doc)
        if key is not None:
            secret = f"pagerduty/{doc.key}"
            self.secrets[secret] = key
            targets.append(NotificationTarget(secret, "pagerduty", secret, {}))
            policies.append(EscalationPolicy(secret, (Level((secret,), PAGERDUTY_ACK_MINUTES),), 0))
            policy = secret
        services.append(
            Service(
                doc.key,
                team,
                self._tier(doc),
                self._link(doc, "runbook"),
                self._link(doc, "dashboard"),
                _text(doc.annotations.get("incidentdesk.io/slo")),
                policy,
                system,
            )
        )

    def doc_secret(self, doc: _Doc) -> str | None:
        value = doc.annotations.get(PAGERDUTY_KEY)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is not None:
            # Not echoed: it may be (part of) a key.
            self.skipped.append(
                f"{self.source}, line {doc.line_of('metadata', 'annotations', PAGERDUTY_KEY)}: "
                f"Component '{doc.key}': its '{PAGERDUTY_KEY}' is not text; no PagerDuty "
                "target was made."
            )
        return None

    def _tier(self, doc: _Doc) -> int:
        raw = doc.annotations.get(TIER_ANNOTATION)
        if raw is None:
            return DEFAULT_TIER
        try:
            tier = int(str(raw))
        except ValueError:
            tier = 0
        if 1 <= tier <= 4:
            return tier
        line = doc.line_of("metadata", "annotations", TIER_ANNOTATION)
        raise CatalogError(
            [
                f"{self.source}, line {line}: Component '{doc.key}': '{TIER_ANNOTATION}' is "
                f"'{raw}', which is not a tier from 1 to 4."
            ]
        )

    def _link(self, doc: _Doc, what: str) -> str | None:
        annotated = _text(doc.annotations.get(f"incidentdesk.io/{what}-url"))
        if annotated:
            return annotated
        links = doc.metadata.get("links")
        for link in links if isinstance(links, list) else []:
            if not isinstance(link, Mapping):
                continue
            labels = {str(link.get("icon", "")).lower(), str(link.get("title", "")).lower()}
            if what in labels and _text(link.get("url")):
                return _text(link.get("url"))
        return None


def _line_number(sentence: str) -> int:
    found = re.search(r", line (\d+):", sentence)
    return int(found.group(1)) if found else 0


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
