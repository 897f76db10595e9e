"""Payload rules for each event kind: refuse what is wrong, normalise what is sloppy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import KINDS, Event, validate_payload

TARGET = "0192f3a0-0000-7001-8000-000000000001"

VALID: dict[str, dict[str, Any]] = {
    "incident.declared": {"title": "Checkout down", "severity": "SEV2"},
    "severity.changed": {"severity": "SEV1"},
    "status.changed": {"status": "mitigated"},
    "milestone.set": {"milestone": "detected_at"},
    "role.assigned": {"role": "commander", "person": "Ana"},
    "role.released": {"role": "commander", "person": "Ana"},
    "note.added": {"text": "Rolled back"},
    "note.corrected": {"target": TARGET, "text": "Rolled back at 14:10"},
    "event.pinned": {"target": TARGET, "pinned": True},
    "incident.drill_set": {"drill": True},
    "incident.bridge_set": {"bridge": "https://zoom.us/j/123"},
    "incident.impact_set": {"impact": "EU customers cannot pay by card"},
    "escalation.requested": {
        "escalation_id": TARGET,
        "service": "checkout",
        "team": "payments",
        "policy": "payments",
        "level": 1,
        "levels": 2,
        "ack_timeout_minutes": 5,
        "dedup_key": "incidentdesk-x",
        "targets": [{"name": "pd", "adapter": "pagerduty"}],
    },
    "escalation.sent": {"escalation_id": TARGET, "target": "pd", "attempt": 1},
    "escalation.failed": {
        "escalation_id": TARGET,
        "target": "pd",
        "attempt": 1,
        "reason": "PagerDuty rejected the routing key (400).",
        "final": True,
    },
    "escalation.acknowledged": {"escalation_id": TARGET, "by": "Priya"},
    "escalation.resolved": {"escalation_id": TARGET},
    "chat.requested": {
        "post_id": TARGET,
        "target": "slack-incidents",
        "adapter": "slack",
        "text": "Mitigated.",
    },
    "chat.sent": {"post_id": TARGET, "target": "slack-incidents", "attempt": 1},
    "chat.failed": {"post_id": TARGET, "target": "slack-incidents", "attempt": 1},
    "chat.channel_set": {"target": "slack-incidents"},
    "catalog.imported": {"source": "catalog.toml", "catalog": {}},
    "postmortem.started": {
        "template": "standard",
        "template_name": "Standard",
        "sections": [{"key": "summary", "title": "Summary", "required": True}],
    },
    "postmortem.section_saved": {"section": "summary", "text": "Checkout failed", "base": None},
    "action_item.saved": {
        "item": TARGET,
        "description": "Alert on pool saturation",
        "type": "detect",
        "owner": "Bo",
        "priority": "P2",
        "status": "open",
    },
    "review.state_changed": {"state": "in_review", "reviewers": ["Bo"], "revision": 1},
    "postmortem.revision_started": {"revision": 2},
    "postmortem.finding_accepted": {
        "section": "summary",
        "rule": "counterfactual.should-have",
        "text": "should have",
        "start": 4,
        "reason": "quoting the runbook",
    },
}

REQUIRED = {
    "incident.declared": ["title", "severity"],
    "severity.changed": ["severity"],
    "status.changed": ["status"],
    "milestone.set": ["milestone"],
    "role.assigned": ["role", "person"],
    "role.released": ["role", "person"],
    "note.added": ["text"],
    "note.corrected": ["target", "text"],
    "event.pinned": ["target"],
    "incident.drill_set": ["drill"],
    "incident.bridge_set": ["bridge"],
    "incident.impact_set": ["impact"],
    "escalation.requested": [
        "escalation_id",
        "service",
        "team",
        "policy",
        "level",
        "levels",
        "ack_timeout_minutes",
        "targets",
    ],
    "escalation.sent": ["escalation_id", "target", "attempt"],
    "escalation.failed": ["escalation_id", "target", "attempt", "reason"],
    "escalation.acknowledged": ["escalation_id", "by"],
    "escalation.resolved": ["escalation_id"],
    "chat.requested": ["post_id", "target", "adapter", "text"],
    "chat.sent": ["post_id", "target", "attempt"],
    "chat.failed": ["post_id", "target", "attempt"],
    "chat.channel_set": ["target"],
    "catalog.imported": ["catalog"],
    "postmortem.started": ["template", "template_name", "sections"],
    "postmortem.section_saved": ["section", "text", "base"],
    "action_item.saved": ["item", "description", "type", "owner", "priority", "status"],
    "review.state_changed": ["state", "revision"],
    "postmortem.revision_started": ["revision"],
    "postmortem.finding_accepted": ["section", "rule", "text", "start", "reason"],
}


def test_every_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(KINDS) == set(REQUIRED)
    for kind, payload in VALID.items():
        validate_payload(kind, payload)


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, fields in REQUIRED.items() for f in fields]
)
def test_a_missing_field_is_named(kind: str, field: str) -> None:
    payload = {k: v for k, v in VALID[kind].items() if k != field}
    with pytest.raises(DomainError, match=f"^The event is missing '{field}'.$"):
        validate_payload(kind, payload)


def test_event_pinned_without_pinned_means_unpin() -> None:
    assert validate_payload("event.pinned", {"target": TARGET}) == {
        "target": TARGET,
        "pinned": False,
    }


@pytest.mark.parametrize("kind", ["incident.deleted", "", "NOTE.ADDED", "escalation.paged"])
def test_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(DomainError, match=f"'{kind}' is not a known event kind"):
        validate_payload(kind, {})


@pytest.mark.parametrize("payload", [None, "text", ["title"], 3])
def test_a_payload_must_be_an_object(payload: Any) -> None:
    with pytest.raises(DomainError, match="must be an object"):
        validate_payload("note.added", payload)


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("incident.declared", {"title": 5}, "The title must be text"),
        ("incident.declared", {"title": "a\nb"}, "line break"),
        ("incident.declared", {"title": "x" * 201}, "too long"),
        ("incident.declared", {"severity": "high"}, "not a severity"),
        ("incident.declared", {"severity": None}, "not a severity"),
        ("incident.declared", {"services": "checkout"}, "Services must be a list"),
        ("incident.declared", {"services": [1]}, "service name must be text"),
        ("incident.declared", {"services": ["ok", " "]}, "service name is empty"),
        ("severity.changed", {"severity": "SEV9"}, "not a severity"),
        ("status.changed", {"status": "done"}, "'done' is not a valid status"),
        ("status.changed", {"status": 2}, "not a valid status"),
        ("status.changed", {"status": ["mitigated"]}, "not a valid status"),
        ("milestone.set", {"milestone": "detected"}, "not a valid milestone"),
        ("milestone.set", {"milestone": {"a": 1}}, "not a valid milestone"),
        ("role.assigned", {"role": "janitor"}, "not a valid role"),
        ("role.assigned", {"role": ["commander"]}, "not a valid role"),
        ("role.assigned", {"role": {"k": "commander"}}, "not a valid role"),
        ("role.assigned", {"person": 7}, "person's name must be text"),
        ("role.assigned", {"person": "Ana\x1b"}, r"\(U\+001B\) at position 4"),
        ("role.assigned", {"shadow": "yes"}, "'shadow' must be true or false"),
        ("role.assigned", {"shadow": 1}, "'shadow' must be true or false"),
        ("role.assigned", {"previous": ""}, "person's name is empty"),
        ("role.released", {"role": None}, "not a valid role"),
        ("note.added", {"text": ""}, "The note is empty"),
        ("note.added", {"text": 3.5}, "The note must be text"),
        ("note.added", {"note_kind": "rumour"}, "not a valid note kind"),
        ("note.added", {"note_kind": ["note"]}, "not a valid note kind"),
        ("note.added", {"pinned": "true"}, "'pinned' must be true or false"),
        ("note.corrected", {"target": "abc"}, "no valid target"),
        ("note.corrected", {"target": 12345}, "no valid target"),
        ("event.pinned", {"pinned": None}, "'pinned' must be true or false"),
    ],
)
def test_wrong_values_and_types_are_refused(
    kind: str, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        validate_payload(kind, VALID[kind] | change)


def test_declaration_is_normalised() -> None:
    payload = {
        "title": "  Checkout down\u0301 ",
        "severity": "sev1",
        "services": [" checkout ", "payments", "checkout", "payments"],
        "unexpected": "dropped",
    }
    assert validate_payload("incident.declared", payload) == {
        "title": "Checkout dow\u0144",  # NFC: n + combining acute -> ń
        "severity": "SEV1",
        "services": ["checkout", "payments"],
    }


@pytest.mark.parametrize(("typed", "code"), [("sev1", "SEV1"), ("S-3", "SEV3"), ("5", "SEV5")])
def test_severity_is_stored_as_its_code(typed: str, code: str) -> None:
    assert validate_payload("severity.changed", {"severity": typed}) == {"severity": code}


def test_declaration_without_services_has_an_empty_list() -> None:
    assert validate_payload("incident.declared", VALID["incident.declared"])["services"] == []


def test_defaults_are_filled_in() -> None:
    assert validate_payload("role.assigned", VALID["role.assigned"]) == {
        "role": "commander",
        "person": "Ana",
        "shadow": False,
        "previous": None,
    }
    assert validate_payload("note.added", {"text": " Rolled back\r\nfor now "}) == {
        "text": "Rolled back\nfor now",
        "note_kind": "note",
        "pinned": False,
    }


def test_handover_names_previous_holder() -> None:
    payload = {"role": "commander", "person": "Bo", "previous": " Ana ", "shadow": True}
    assert validate_payload("role.assigned", payload) == {
        "role": "commander",
        "person": "Bo",
        "shadow": True,
        "previous": "Ana",
    }


def test_validating_twice_gives_the_same_payload() -> None:
    for kind, payload in VALID.items():
        once = validate_payload(kind, payload)
        assert validate_payload(kind, once) == once


@given(
    kind=st.sampled_from(KINDS),
    payload=st.dictionaries(
        st.sampled_from(
            [
                *("title", "severity", "services", "status", "milestone", "role", "person"),
                *("shadow", "previous", "text", "note_kind", "pinned", "target"),
            ]
        ),
        st.none()
        | st.booleans()
        | st.integers(-3, 3)
        | st.text(max_size=12)
        | st.sampled_from(["SEV1", "commander", "Ana", "mitigated", "detected_at", "0" * 36])
        | st.lists(st.sampled_from(["api", "db", "", 1]), max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 1), max_size=2),
        max_size=6,
    ),
)
def test_any_payload_is_accepted_or_refused_with_a_domain_error(
    kind: str, payload: dict[str, Any]
) -> None:
    # Payloads arrive from other replicas and from scripts: anything malformed must be a
    # DomainError the CLI can print, never a crash.
    try:
        cleaned = validate_payload(kind, payload)
    except DomainError:
        return
    assert validate_payload(kind, cleaned) == cleaned  # and what it accepts stays accepted


def test_event_key_is_the_fold_order() -> None:
    at = datetime(2026, 11, 26, tzinfo=UTC)
    event = Event(TARGET, "inc", "note.added", {"text": "x"}, at, 42, "ana", "dev-a")
    assert event.key == (42, "dev-a", TARGET)
    with pytest.raises(AttributeError):
        event.hlc = 43  # type: ignore[misc]


def test_a_long_failure_reason_is_the_same_when_checked_again() -> None:
    # Cut at the limit, the text must not end in a space that a second check would strip
    # (an archive of the journal re-checks every payload on import).
    reason = ("PagerDuty said: " + "bad routing key " * 40)[:499] + " trailing"
    payload = {**VALID["escalation.failed"], "reason": reason}
    once = validate_payload("escalation.failed", payload)
    assert validate_payload("escalation.failed", once) == once
