"""Acknowledged means a responder took it: the first of a page answered, the Incident
Commander role first taken, or an explicit ``milestone acknowledged`` (each back-datable)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.fold import fold, state_summary

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
INCIDENT = "0192f3a0-0000-7000-8000-000000000001"
PAGE = "0192f3a0-0000-7000-8000-0000000000aa"


def ev(n: int, kind: str, payload: dict[str, Any], minutes: float) -> Event:
    return Event(
        id=f"0192f3a0-0000-7{n:03x}-8000-{n:012x}" if n else INCIDENT,
        incident_id=INCIDENT,
        kind=kind,
        payload=payload,
        occurred_at=T0 + timedelta(minutes=minutes),
        hlc=1_000 + n,
        author="Ana",
        device="dev-a",
    )


def declared() -> Event:
    payload = {"title": "Checkout down", "severity": "SEV1", "services": ["checkout"]}
    return ev(0, "incident.declared", payload, 0)


def commander(n: int, person: str, minutes: float) -> Event:
    return ev(n, "role.assigned", {"role": "commander", "person": person}, minutes)


def page_events(minutes_acked: float) -> list[Event]:
    requested = {
        "escalation_id": PAGE,
        "service": "checkout",
        "team": "payments",
        "policy": "payments",
        "level": 1,
        "levels": 2,
        "ack_timeout_minutes": 5,
        "dedup_key": "k",
        "targets": [{"name": "pd", "adapter": "pagerduty"}],
    }
    return [
        ev(20, "escalation.requested", requested, 1),
        ev(21, "escalation.acknowledged", {"escalation_id": PAGE, "by": "Priya"}, minutes_acked),
    ]


def acknowledged(events: list[Event]) -> datetime | None:
    return fold(INCIDENT, events).milestones.get("acknowledged_at")


def test_taking_command_acknowledges_an_incident_nobody_paged() -> None:
    events = [declared(), commander(1, "Ana", 3), commander(2, "Bo", 9)]
    assert acknowledged(events) == T0 + timedelta(minutes=3)  # the first taking, not the handover
    assert state_summary(fold(INCIDENT, events))["acknowledged_at"] == T0 + timedelta(minutes=3)


def test_the_first_of_page_commander_and_milestone_wins_in_any_order() -> None:
    milestone = ev(3, "milestone.set", {"milestone": "acknowledged_at"}, 2)
    events = [declared(), commander(1, "Ana", 6), *page_events(4), milestone]
    assert acknowledged(events) == T0 + timedelta(minutes=2)
    assert acknowledged([declared(), commander(1, "Ana", 6), *page_events(4)]) == T0 + timedelta(
        minutes=4
    )
    assert acknowledged(list(reversed(events))) == T0 + timedelta(minutes=2)


def test_nothing_acknowledges_an_incident_without_commander_page_or_milestone() -> None:
    shadow = ev(1, "role.assigned", {"role": "commander", "person": "Bo", "shadow": True}, 2)
    scribe = ev(2, "role.assigned", {"role": "scribe", "person": "Chen"}, 2)
    assert acknowledged([declared(), shadow, scribe]) is None


def test_acknowledged_keeps_the_milestones_in_order() -> None:
    detected = ev(1, "milestone.set", {"milestone": "detected_at"}, 10)
    early = commander(2, "Ana", 5)  # took command before the incident was "detected"
    assert acknowledged([declared(), detected, early]) == T0 + timedelta(minutes=10)
    mitigated = ev(3, "status.changed", {"status": "mitigated"}, 20)
    late = commander(4, "Ana", 30)  # recorded after the fact
    assert acknowledged([declared(), mitigated, late]) == T0 + timedelta(minutes=20)


def test_a_handover_back_dated_before_the_first_taking_acknowledges_from_then() -> None:
    # Recorded in this order (hlc), but Bo's taking is back-dated before Ana's; a release
    # and a later taking move nothing.
    release = ev(3, "role.released", {"role": "commander", "person": "Bo"}, 20)
    events = [declared(), commander(1, "Ana", 8), commander(2, "Bo", 5), release]
    events.append(commander(4, "Chen", 30))
    assert acknowledged(events) == T0 + timedelta(minutes=5)
    assert fold(INCIDENT, events).commander_taken_at == T0 + timedelta(minutes=5)


def test_thousands_of_handovers_keep_the_first_taking() -> None:
    # (Settling Acknowledged once walked the whole role history after every role change.)
    many = [commander(n, f"Person {n % 7}", n) for n in range(1, 6001)]
    state = fold(INCIDENT, [declared(), *many])
    assert len(state.role_history) == 6000
    assert state.milestones["acknowledged_at"] == T0 + timedelta(minutes=1)
