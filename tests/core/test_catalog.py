"""The service catalog: the TOML format, its located errors, the lookups and the round trip."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.core.catalog.model import (
    CATALOG_ID,
    Catalog,
    CatalogError,
    catalog_from_dict,
    parse_toml,
)
from incidentdesk.core.catalog.options import check_secret_name
from incidentdesk.core.catalog.payload import PAYLOADS, catalog_to_dict
from incidentdesk.core.catalog.toml import to_toml
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.journal.events import validate_payload

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "example.toml"


@pytest.fixture(scope="module")
def text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog(text: str) -> Catalog:
    return parse_toml(text, "example.toml")


def errors(text: str) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        parse_toml(text, "catalog.toml")
    assert str(caught.value).startswith(caught.value.problems[0])
    return caught.value.problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


# ---------------------------------------------------------------- the example


def test_the_example_is_realistic_and_complete(catalog: Catalog) -> None:
    assert catalog.counts() == {
        "teams": 3,
        "people": 6,
        "services": 5,
        "policies": 2,
        "targets": 6,
    }
    assert {t.adapter for t in catalog.targets} == {
        "pagerduty",
        "opsgenie",
        "slack",
        "teams",
        "webhook",
    }
    assert all(2 <= len(p.levels) <= 3 for p in catalog.policies)


def test_export_reads_back_equal(catalog: Catalog) -> None:
    written = to_toml(catalog)
    assert parse_toml(written) == catalog
    assert to_toml(parse_toml(written)) == written
    tomllib.loads(written)  # plain TOML any tool reads


def test_awkward_text_survives_the_round_trip(catalog: Catalog, text: str) -> None:
    odd = text.replace(
        'slo = "99% of image requests served from the CDN"',
        'slo = "quotes \\" backslash \\\\ tab \\t newline \\n accents é 数据 🔥"',
    ).replace(
        'options = { channel = "Storefront on-call" }',
        'options = { channel = "Storefront on-call", "odd key" = 1.5, nested = { a = [1, 2] }, '
        "flag = false }",
    )
    parsed = parse_toml(odd)
    assert parse_toml(to_toml(parsed)) == parsed
    assert parsed.service("product-images").slo.endswith("数据 🔥")  # type: ignore[union-attr]


def test_the_catalog_event_payload_validates_and_normalises(catalog: Catalog) -> None:
    payload = {"source": "example.toml", "catalog": catalog_to_dict(catalog)}
    clean = validate_payload("catalog.imported", payload)
    assert catalog_from_dict(clean["catalog"]) == catalog
    assert "catalog.imported" in PAYLOADS
    with pytest.raises(DomainError):
        validate_payload("catalog.imported", {"catalog": {"services": "nope"}})
    assert len(CATALOG_ID) == 36


# ---------------------------------------------------------------- lookups


def test_lookups_follow_the_references(catalog: Catalog) -> None:
    assert catalog.service("Checkout").team == "payments"
    assert catalog.policy_for_service("checkout").name == "payments-critical"
    # the service's own policy overrides its team's
    assert catalog.team("platform").escalation_policy == "business-hours"
    assert catalog.policy_for_service("kubernetes-eu").name == "payments-critical"
    assert [p.handle for p in catalog.owners("kubernetes-eu")] == ["mei", "sam", "priya"]
    level_two = catalog.targets_for_level("checkout", 2)
    assert [t.name for t in level_two] == ["pagerduty-payments", "opsgenie-payments-leads"]
    assert catalog.targets_for_level("checkout", 3)[1].options["url"].startswith("https://")
    with pytest.raises(DomainError, match="levels 1 to 2; there is no level 3"):
        catalog.targets_for_level("catalog-search", 3)
    with pytest.raises(NotFound, match="no service 'nope'"):
        catalog.service("nope")


def test_chat_targets_put_the_incident_channel_first(catalog: Catalog) -> None:
    chats = catalog.chat_targets()
    assert [t.adapter for t in chats] == ["slack", "teams"]
    assert chats[0].options["purpose"] == "incident channel"


def test_search_finds_services_by_owner_system_and_words(catalog: Catalog) -> None:
    assert [s.name for s in catalog.search("PRIYA commerce")] == ["checkout", "payments-api"]
    assert [s.name for s in catalog.search("tokyo")] == []
    assert [s.name for s in catalog.search("mei")] == ["kubernetes-eu"]
    assert [s.name for s in catalog.search("diego.fernandez@")] == [
        "catalog-search",
        "product-images",
    ]
    assert len(catalog.search("")) == 5


def test_a_team_without_policy_says_so(text: str) -> None:
    changed = text.replace(
        'escalation_policy = "business-hours"\nchat_target = "teams', 'chat_target = "teams'
    )
    catalog = parse_toml(changed)
    with pytest.raises(NotFound, match="Service 'catalog-search' has no escalation policy"):
        catalog.policy_for_service("catalog-search")


# ---------------------------------------------------------------- located errors


def test_unknown_team_names_file_line_entity_and_field(text: str) -> None:
    bad = text.replace(
        'name = "checkout"\nteam = "payments"', 'name = "checkout"\nteam = "paymnts"'
    )
    line = line_of(bad, 'team = "paymnts"')
    assert errors(bad) == [
        f"catalog.toml, line {line}: service 'checkout': 'team' names 'paymnts', "
        "which is not a team."
    ]


def test_duplicate_service(text: str) -> None:
    bad = text.replace('name = "product-images"', 'name = "Checkout"')
    line = line_of(bad, 'name = "Checkout"')
    assert errors(bad) == [
        f"catalog.toml, line {line}: service 'Checkout': 'name' is 'Checkout', which another "
        "service uses too."
    ]


def test_bad_url_timezone_timeout_and_tier_are_all_reported(text: str) -> None:
    bad = (
        text.replace(
            "https://runbooks.example.com/payments/payments-api", "ftp://runbooks.example.com"
        )
        .replace("America/New_York", "Mars/Olympus_Mons")
        .replace("ack_timeout_minutes = 10", "ack_timeout_minutes = 1441")
        .replace("tier = 3", "tier = 5")
    )
    problems = errors(bad)
    assert problems == [
        f"catalog.toml, line {line_of(bad, 'Mars/')}: person 'sam': 'timezone' is "
        "'Mars/Olympus_Mons', which is not a time zone (such as Europe/Paris).",
        f"catalog.toml, line {line_of(bad, 'ftp://')}: service 'payments-api': 'runbook_url' is "
        "'ftp://runbooks.example.com', which is not an http or https URL.",
        f"catalog.toml, line {line_of(bad, 'tier = 5')}: service 'product-images': 'tier' must "
        "be a whole number from 1 to 4.",
        f"catalog.toml, line {line_of(bad, '= 1441')}: escalation policy 'payments-critical', "
        "level 2: 'ack_timeout_minutes' must be a whole number from 1 to 1440.",
    ]
    with pytest.raises(CatalogError, match=r"\(3 more problems in the file\.\)$"):
        parse_toml(bad, "catalog.toml")


def test_a_refused_entry_does_not_cascade_into_missing_references(text: str) -> None:
    bad = text.replace("ack_timeout_minutes = 5", "ack_timeout_minutes = 0")
    # the policy is refused; the teams and service naming it are not reported again
    assert len(errors(bad)) == 1


def test_toml_syntax_error_names_the_line(text: str) -> None:
    bad = text.replace("tier = 2", "tier = = 2")
    line = line_of(bad, "tier = = 2")
    (problem,) = errors(bad)
    assert problem.startswith(f"catalog.toml, line {line}: not valid TOML: ")


def test_level_without_targets_and_unknown_target(text: str) -> None:
    bad = text.replace('targets = ["opsgenie-storefront"]', "targets = []").replace(
        'targets = ["pagerduty-payments"]', 'targets = ["pagerduty-paymnts"]'
    )
    assert errors(bad) == [
        f"catalog.toml, line {line_of(bad, 'targets = []')}: escalation policy "
        "'business-hours', level 1: 'targets' must name at least one target.",
        f"catalog.toml, line {line_of(bad, 'pagerduty-paymnts')}: escalation policy "
        "'payments-critical', level 1: 'targets' names 'pagerduty-paymnts', which is not a "
        "target.",
    ]


def test_unknown_field_and_missing_field(text: str) -> None:
    bad = text.replace("tier = 2\n", "teir = 2\n")
    problems = errors(bad)
    line = line_of(bad, "teir = 2")
    assert problems[0] == (
        f"catalog.toml, line {line}: service 'catalog-search': 'teir' is not a field of a "
        "service (name, team, tier, runbook_url, dashboard_url, slo, escalation_policy, "
        "system)."
    )
    assert problems[1].endswith("service 'catalog-search': 'tier' is missing.")


def test_a_secret_value_pasted_as_the_name_is_refused_without_echo(text: str) -> None:
    value = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
    bad = text.replace('secret = "slack/incidents"', f'secret = "{value}"')
    (problem,) = errors(bad)
    assert "'secret' must be the NAME of a secret" in problem
    assert "XXXXSECRETXXXX" not in problem and "hooks.slack" not in problem


def test_target_option_rules(text: str) -> None:
    bad = (
        text.replace('region = "eu"', 'region = "mars"')
        .replace('{ url = "https://status-bridge', '{ link = "https://status-bridge')
        .replace('{ type = "team", name = "Storefront" }', '{ type = "crowd" }')
    )
    problems = errors(bad)
    assert any("'region' must be one of us, eu." in p for p in problems)
    assert any("a webhook target needs 'url'" in p for p in problems)
    assert any("'responders' must be a list of tables" in p for p in problems)


def test_a_person_missing_from_their_home_team(text: str) -> None:
    bad = text.replace('members = ["amara", "diego"]', 'members = ["amara"]')
    (problem,) = errors(bad)
    assert "person 'diego': 'team' is 'storefront', but that team's members leave them out." in (
        problem
    )


def test_members_default_to_the_people_whose_home_team_it_is() -> None:
    catalog = parse_toml(
        '[[people]]\nhandle = "a"\nname = "A"\nteam = "t"\n'
        '[[people]]\nhandle = "b"\nname = "B"\nteam = "t"\n'
        '[[teams]]\nname = "t"\n'
        '[[services]]\nname = "s"\nteam = "t"\ntier = 4\n'
    )
    assert catalog.team("t").members == ("a", "b")
    assert catalog.person("a").timezone == "UTC"
    assert parse_toml(to_toml(catalog)) == catalog


def test_not_a_catalog_at_all() -> None:
    assert errors('[[servicez]]\nname = "x"\n') == [
        "catalog.toml: the catalog: 'servicez' is not part of a catalog (people, teams, "
        "services, policies, targets)."
    ]
    assert errors('services = "x"\n') == [
        "catalog.toml: the catalog: 'services' must be an array of tables ([[services]])."
    ]


def test_secret_names() -> None:
    assert check_secret_name(" pagerduty/checkout ") == "pagerduty/checkout"
    with pytest.raises(DomainError, match="A secret name is letters"):
        check_secret_name("has space")


def test_a_team_chat_target_must_be_slack_or_teams(text: str) -> None:
    bad = text.replace('chat_target = "teams-storefront"', 'chat_target = "pagerduty-payments"')
    (problem,) = errors(bad)
    line = line_of(bad, 'chat_target = "pagerduty-payments"')
    assert problem == (
        f"catalog.toml, line {line}: team "
        "'storefront': 'chat_target' names 'pagerduty-payments', a pagerduty target; a chat "
        "target is slack or teams."
    )


TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)
SCALAR = st.booleans() | st.integers() | TEXT | st.floats(allow_nan=False, allow_infinity=False)
OPTION = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
CHECKED = ("url", "region", "purpose", "severity", "responders")


@settings(max_examples=150, deadline=None)
@given(slo=TEXT, options=st.dictionaries(TEXT, OPTION, max_size=4))
def test_any_text_and_options_survive_export(
    catalog: Catalog, slo: str, options: dict[str, object]
) -> None:
    free = {k: v for k, v in options.items() if k not in CHECKED and not k.endswith("_url")}
    changed = replace(
        catalog,
        services=(replace(catalog.services[0], slo=slo.strip()), *catalog.services[1:]),
        targets=(
            *catalog.targets[:-1],
            replace(catalog.targets[-1], options={**free, "url": "https://h.example/x"}),
        ),
    )
    assert parse_toml(to_toml(changed)) == changed
