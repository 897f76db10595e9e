"""Backstage catalog-info.yaml import: Backstage's own example entities, and the edge cases."""

from __future__ import annotations

import os

import pytest
from sharedkit import shared_dir  # tests/sharedkit.py

from incidentdesk.core.catalog.backstage import parse_backstage
from incidentdesk.core.catalog.model import CatalogError, parse_toml
from incidentdesk.core.catalog.payload import catalog_to_dict
from incidentdesk.core.catalog.toml import to_toml

SHARED = shared_dir()
FIXTURES = SHARED / "fixtures" / "backstage"


def backstage_examples() -> str:
    """Backstage's example entities (../shared/fixtures/backstage), as one multi-document
    text; skipped where the shared folder is absent, except under CI, where it must be."""
    files = sorted(FIXTURES.glob("*.yaml"))
    if not files:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Backstage's example entities in {FIXTURES}.")
        pytest.skip(f"Backstage's example entities are not here ({FIXTURES}).")
    return "\n---\n".join(path.read_text(encoding="utf-8") for path in files)


def test_backstage_examples_import_with_what_was_skipped_and_why() -> None:
    result = parse_backstage(backstage_examples(), "examples.yaml")
    catalog = result.catalog
    assert [s.name for s in catalog.services] == ["artist-lookup", "playback-order"]
    # owned by a group: team-a, whose members come from the users' memberOf
    assert catalog.service("artist-lookup").team == "team-a"
    assert catalog.service("artist-lookup").dashboard_url == "https://example.com/dashboard"
    # owned by a user: a one-person team, so the service still has someone to page
    assert catalog.service("playback-order").team == "user-guest"
    assert [p.handle for p in catalog.owners("playback-order")] == ["guest"]
    # the same user name in another namespace is another person
    assert {p.handle for p in catalog.people} == {
        "breanna.davison",
        "janelle.dawe",
        "nigel.manning",
        "guest",
        "development/guest",
    }
    assert catalog.person("breanna.davison").name == "breanna.davison"  # no displayName
    assert catalog.person("janelle.dawe").email == "janelle-dawe@example.com"
    # the system owned by a team no file defines is skipped, with the reason
    system = [s for s in result.skipped if "System 'audio-playback' skipped" in s]
    assert len(system) == 1
    assert "its owner, group 'team-c', is not defined in these files" in system[0]
    assert any("'playback-order' is imported without its system 'audio-playback'" in s
               for s in result.skipped)  # fmt: skip
    assert result.secrets == {}
    assert parse_toml(to_toml(catalog)) == catalog


def entity(kind: str, name: str, spec: str = "{}", extra: str = "") -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        f"{extra}spec: {spec}\n"
    )


TEAM = (
    entity("Group", "payments", "{type: team}")
    + "---\n"
    + entity("User", "priya", "{memberOf: ['group:default/payments']}")
)


def test_integration_key_becomes_a_named_secret_and_a_pagerduty_policy() -> None:
    key = "R0ut1ngK3yV4lu3Secret000000000000"
    text = (
        TEAM
        + "---\n"
        + entity(
            "Component",
            "checkout",
            "{type: service, owner: group:payments}",
            f"  annotations:\n    pagerduty.com/integration-key: {key}\n"
            "    incidentdesk.io/tier: '1'\n"
            "  links:\n    - {url: 'https://wiki.example.com/rb', title: Runbook}\n",
        )
    )
    result = parse_backstage(text)
    assert result.secrets == {"pagerduty/checkout": key}
    catalog = result.catalog
    assert catalog.service("checkout").tier == 1
    assert catalog.service("checkout").runbook_url == "https://wiki.example.com/rb"
    (target,) = catalog.targets_for_level("checkout", 1)
    assert (target.adapter, target.secret) == ("pagerduty", "pagerduty/checkout")
    assert key not in repr(catalog_to_dict(catalog)) and key not in to_toml(catalog)


def test_other_kinds_and_unknown_owners_are_skipped_not_fatal() -> None:
    text = "\n---\n".join(
        [
            TEAM,
            entity("API", "checkout-api", "{type: openapi}"),
            entity("Resource", "db", "{type: database}"),
            entity("Component", "orphan", "{type: service, owner: group:ghosts}"),
            entity("Component", "by-nobody", "{type: service, owner: 'user:nobody'}"),
            entity("Component", "utils", "{type: library, owner: payments}"),
            entity("User", "loner", "{memberOf: [elsewhere]}"),
            "just a string",
        ]
    )
    result = parse_backstage(text, "catalog-info.yaml")
    assert result.catalog.services == ()
    skipped = "\n".join(result.skipped)
    assert "API 'checkout-api' skipped: an API has no place" in skipped
    assert "Resource 'db' skipped" in skipped
    assert "Component 'orphan' skipped: its owner, group 'ghosts', is not defined" in skipped
    assert "Component 'by-nobody' skipped: its owner, user 'nobody', is not defined" in skipped
    assert "Component 'utils' skipped: it is a library" in skipped
    assert "User 'loner' skipped: the user is a member of no Group defined" in skipped
    assert "document 9 is not an entity" in skipped
    # each names the line of its entity
    lines = text.splitlines()
    owner = next(n for n, line in enumerate(lines, start=1) if "group:ghosts" in line)
    assert f"catalog-info.yaml, line {owner}: Component 'orphan' skipped" in skipped
    numbers = [int(s.split(", line ")[1].split(":")[0]) for s in result.skipped]
    assert numbers == sorted(numbers)


def test_yaml_syntax_error_names_the_line() -> None:
    text = TEAM + "---\nkind: Component\nmetadata: {name: [unclosed\n"
    with pytest.raises(CatalogError) as caught:
        parse_backstage(text, "catalog-info.yaml")
    line = len(TEAM.splitlines()) + 4
    assert str(caught.value).startswith(f"catalog-info.yaml, line {line}: not valid YAML: ")


def test_a_bad_tier_annotation_is_a_located_error() -> None:
    text = (
        TEAM
        + "---\n"
        + entity(
            "Component",
            "checkout",
            "{type: service, owner: payments}",
            "  annotations:\n    incidentdesk.io/tier: 'gold'\n",
        )
    )
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "'gold'" in row)
    with pytest.raises(CatalogError, match=rf"line {line}: Component 'checkout': 'incidentdesk"):
        parse_backstage(text)
