"""Severity levels as people type them, and what each level means."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.severity import SEVERITIES, UNSURE_RULE, parse_severity, severity


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SEV2", "SEV2"),
        ("sev2", "SEV2"),
        ("sev-2", "SEV2"),
        ("SEV 2", "SEV2"),
        ("2", "SEV2"),
        ("S2", "SEV2"),
        ("s1", "SEV1"),
        (" SEV5 ", "SEV5"),
        ("3", "SEV3"),
    ],
)
def test_parse_severity_accepts_the_usual_spellings(typed: str, code: str) -> None:
    assert parse_severity(typed).code == code


@pytest.mark.parametrize(
    "typed", ["SEV0", "SEV6", "0", "6", "high", "P1", "", "SEV", "SEV1.5", "²", "SEV-", "9" * 5000]
)
def test_parse_severity_refuses_with_a_clear_message(typed: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_severity(typed)
    message = str(err.value)
    assert "is not a severity" in message
    assert "SEV1 (worst) to SEV5" in message


def test_refusal_quotes_what_was_typed() -> None:
    with pytest.raises(DomainError, match="'high' is not a severity"):
        parse_severity("high")


@given(st.text(max_size=12) | st.from_regex(r"\A(SEV|S|sev)?-?\d{1,6}\Z"))
def test_any_typed_severity_is_a_level_or_a_domain_error(typed: str) -> None:
    try:
        level = parse_severity(typed)
    except DomainError:
        return
    assert level in SEVERITIES


def test_sev1_and_sev2_are_major_incidents() -> None:
    assert [s.code for s in SEVERITIES if s.major] == ["SEV1", "SEV2"]
    assert [s.level for s in SEVERITIES] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("code", "heading"),
    [
        ("SEV1", "Critical incident"),
        ("SEV2", "Major incident"),
        ("SEV3", "Minor incident"),
        ("SEV4", "Low-impact issue"),
        ("SEV5", "Trivial issue"),
    ],
)
def test_each_level_has_its_own_heading(code: str, heading: str) -> None:
    definition = severity(code).definition
    assert definition.startswith(f"{code}: {heading}. ")
    assert "Examples:" in definition


def test_no_two_levels_share_a_heading() -> None:
    assert len({s.heading for s in SEVERITIES}) == len(SEVERITIES)


def test_unsure_rule_tells_people_to_pick_the_higher_level() -> None:
    assert "higher" in UNSURE_RULE
