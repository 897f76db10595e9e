"""An incident's bridge link and customer impact: what is accepted, what is refused, and how
the journal folds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.core.catalog.model import parse_toml
from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.links import (
    clean_bridge,
    clean_impact,
    service_links,
    shareable_link,
)
from incidentdesk.core.incident.quick import describe, parse_quick
from incidentdesk.core.incident.timeline import describe as describe_event
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.fold import fold
from incidentdesk.infra.shipped import resource_path

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
INCIDENT = "0192f3a0-0000-7001-8000-0000000000aa"


@pytest.mark.parametrize(
    "link",
    [
        "https://zoom.us/j/123456789?pwd=abc",
        "http://meet.example.com/room",
        "zoommtg://zoom.us/join?confno=123",
        "msteams:/l/meetup-join/19%3ameeting",
        "tel:+1-555-0100,,1234#",
        "sip:bridge@example.com",
        "HTTPS://Example.com/Room",
    ],
)
def test_meeting_links_and_numbers_are_accepted(link: str) -> None:
    cleaned = clean_bridge(f"  {link} ")
    assert cleaned.lower() == link.lower()
    assert clean_bridge(cleaned) == cleaned  # what it accepts stays accepted


@pytest.mark.parametrize(
    ("link", "says"),
    [
        ("javascript:alert(1)", "is not a bridge link"),
        ("file:///etc/passwd", "is not a bridge link"),
        ("zoom.us/j/123", "is not a bridge link"),
        ("https://", "names no host"),
        ("https://user:secret@zoom.us/j/1", "user name or password"),
        ("https://zoom.us/j/1 now", "blank"),
        ("https://zoom.us/j/\x07", "control character"),
        ("tel:", "incomplete"),
        ("", "Give the bridge link"),
    ],
)
def test_a_bad_bridge_link_is_refused_in_one_sentence(link: str, says: str) -> None:
    with pytest.raises(DomainError, match=says) as refused:
        clean_bridge(link)
    assert "\n" not in str(refused.value)


def test_impact_is_one_line_of_at_most_300_characters() -> None:
    assert clean_impact("  EU card payments fail ") == "EU card payments fail"
    with pytest.raises(DomainError, match="too long"):
        clean_impact("x" * 301)
    with pytest.raises(DomainError, match="line break"):
        clean_impact("first\nsecond")


def test_a_shared_document_gets_the_link_without_its_passcode() -> None:
    assert shareable_link("https://zoom.us/j/123?pwd=s3cret#x") == "https://zoom.us/j/123"
    assert shareable_link("tel:+15550100") == "tel:+15550100"
    assert shareable_link("") == ""


def _event(kind: str, payload: dict[str, object], minute: int) -> Event:
    at = NOW + timedelta(minutes=minute)
    event_id = INCIDENT if kind == "incident.declared" else f"{INCIDENT[:-2]}{minute:02d}"
    clean = validate_payload(kind, payload)
    return Event(event_id, INCIDENT, kind, clean, at, minute, "Ana", "dev-a")


def test_the_latest_bridge_and_impact_hold_and_an_empty_value_clears() -> None:
    declared = _event(
        "incident.declared",
        {"title": "Checkout down", "severity": "SEV1", "bridge": "https://zoom.us/j/1"},
        0,
    )
    events = [
        declared,
        _event("incident.impact_set", {"impact": "EU cannot pay"}, 1),
        _event("incident.bridge_set", {"bridge": "https://meet.example.com/b"}, 2),
        _event("incident.impact_set", {"impact": ""}, 3),
    ]
    state = fold(INCIDENT, events)
    assert (state.bridge, state.impact) == ("https://meet.example.com/b", "")
    assert fold(INCIDENT, events[:2]).impact == "EU cannot pay"
    assert fold(INCIDENT, events[:1]).bridge == "https://zoom.us/j/1"
    assert describe_event(events[2]) == "Bridge set to https://meet.example.com/b"
    assert describe_event(events[3]) == "Customer impact line removed"


def test_an_old_declaration_validates_to_the_same_payload() -> None:
    old = {"title": "Checkout down", "severity": "SEV2", "services": ["api"]}
    assert validate_payload("incident.declared", old) == old
    with pytest.raises(DomainError, match="is not a bridge link"):
        validate_payload("incident.declared", {**old, "bridge": "ftp://x"})


def test_slash_bridge_and_impact_parse_and_check_what_follows() -> None:
    bridge = parse_quick("/bridge https://zoom.us/j/9", now=NOW, local_tz=UTC)
    assert (bridge.action, bridge.text) == ("bridge", "https://zoom.us/j/9")
    impact = parse_quick("/impact EU card payments fail", now=NOW, local_tz=UTC)
    assert (impact.action, impact.text) == ("impact", "EU card payments fail")
    assert describe(impact, now=NOW) == "Customer impact → EU card payments fail"
    cleared = parse_quick("/bridge none", now=NOW, local_tz=UTC)
    assert (cleared.action, cleared.text) == ("bridge", "")
    assert describe(cleared, now=NOW) == "Bridge removed"
    with pytest.raises(DomainError, match="is not a bridge link"):
        parse_quick("/bridge javascript:alert(1)", now=NOW, local_tz=UTC)
    with pytest.raises(DomainError, match="Give the customer impact after /impact"):
        parse_quick("/impact", now=NOW, local_tz=UTC)
    with pytest.raises(DomainError, match="takes effect now"):
        parse_quick("/at 02:00 /bridge https://zoom.us/j/9", now=NOW, local_tz=UTC)


def test_service_links_come_from_the_catalog_in_the_order_named() -> None:
    catalog = parse_toml(resource_path("catalog", "demo.toml").read_text(encoding="utf-8"))
    found = service_links(catalog, ["Ledger-Service", "unknown", "payments-api"])
    assert [(f.service, f.runbook_url, f.dashboard_url) for f in found] == [
        ("ledger-service", "https://runbooks.example.com/ledger/ledger-service", None),
        (
            "payments-api",
            "https://runbooks.example.com/payments/payments-api",
            "https://grafana.example.com/d/payments-api/overview",
        ),
    ]
    assert service_links(None, ["payments-api"]) == []
