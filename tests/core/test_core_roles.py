"""Role names as people type them."""

from __future__ import annotations

import pytest

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.roles import ROLES, Role, parse_role


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ic", "commander"),
        ("IC", "commander"),
        ("Incident Commander", "commander"),
        ("incident-commander", "commander"),
        ("commander", "commander"),
        ("comms-liaison", "comms"),
        ("Comms Liaison", "comms"),
        ("liaison", "comms"),
        ("ops", "ops_lead"),
        ("Ops Lead", "ops_lead"),
        ("ops-lead", "ops_lead"),
        ("Subject Matter Expert", "sme"),
        ("SME", "sme"),
        ("expert", "sme"),
        (" Scribe ", "scribe"),
        ("deputy", "deputy"),
    ],
)
def test_parse_role_accepts_keys_labels_and_aliases(typed: str, key: str) -> None:
    assert parse_role(typed).key == key


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.key)
def test_every_label_on_the_board_parses_back_to_its_role(role: Role) -> None:
    assert parse_role(role.label) is role


def test_unknown_role_lists_the_known_ones() -> None:
    with pytest.raises(DomainError) as err:
        parse_role("janitor")
    message = str(err.value)
    assert "'janitor' is not a role" in message
    assert "commander, deputy, scribe, comms, ops_lead, sme" in message
    assert "--shadow" not in message


@pytest.mark.parametrize("typed", ["shadow", "Shadow", " SHADOW "])
def test_shadow_is_not_a_role_and_the_message_points_to_the_flag(typed: str) -> None:
    with pytest.raises(DomainError, match="use --shadow"):
        parse_role(typed)


def test_key_roles_and_several_holder_roles() -> None:
    assert {r.key for r in ROLES if r.key_role} == {"commander", "scribe"}
    assert [r.key for r in ROLES if r.several] == ["sme"]
