"""The timeline as people read it: order, corrections, pins, wording."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from incidentdesk.core.incident.timeline import describe, timeline
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.fold import fold
from incidentdesk.core.journal.ids import hlc_pack

INCIDENT = "inc-tl"
T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)
_n = itertools.count(1)


def ev(
    kind: str, payload: dict[str, Any], *, minute: int, hlc_ms: int, device: str = "d1"
) -> Event:
    n = next(_n)
    return Event(
        f"0192f3a0-0000-7000-8000-{n:012x}",
        INCIDENT,
        kind,
        validate_payload(kind, payload),
        T0 + timedelta(minutes=minute),
        hlc_pack(T0_MS + hlc_ms, 0),
        "scribe",
        device,
    )


def declared(minute: int = 0) -> Event:
    payload = {"title": "Checkout down", "severity": "sev2", "services": ["checkout", "db"]}
    return ev("incident.declared", payload, minute=minute, hlc_ms=0)


def texts(events: list[Event]) -> list[str]:
    return [entry.text for entry in timeline(events, fold(INCIDENT, events))]


def test_back_dated_entries_sort_into_place_by_when_they_happened() -> None:
    events = [
        declared(minute=0),
        ev("note.added", {"text": "Rolled back deploy"}, minute=20, hlc_ms=1),
        # recorded later, but it happened at 14:10
        ev("note.added", {"text": "Error rate spiked"}, minute=10, hlc_ms=2),
        # the scribe back-dates something that happened before the declaration
        ev("note.added", {"text": "First customer ticket"}, minute=-15, hlc_ms=3),
    ]
    assert texts(events) == [
        "First customer ticket",
        "Declared SEV2: Checkout down (services: checkout, db)",
        "Error rate spiked",
        "Rolled back deploy",
    ]


def test_entries_at_the_same_moment_keep_the_order_they_were_recorded_in() -> None:
    a = ev("note.added", {"text": "A"}, minute=5, hlc_ms=2)
    b = ev("note.added", {"text": "B"}, minute=5, hlc_ms=1, device="d2")
    events = [declared(), a, b]
    assert texts(events) == texts(list(reversed(events)))
    assert texts(events)[1:] == ["B", "A"]


def test_a_corrected_note_shows_the_correction_and_keeps_the_original() -> None:
    note = ev("note.added", {"text": "DB failover at 14:15"}, minute=15, hlc_ms=1)
    fix = ev(
        "note.corrected",
        {"target": note.id, "text": "DB failover at 14:12"},
        minute=30,
        hlc_ms=2,
    )
    events = [declared(), note, fix]
    entries = timeline(events, fold(INCIDENT, events))
    by_id = {e.event.id: e for e in entries}
    assert by_id[note.id].text == "DB failover at 14:12"
    assert by_id[note.id].original_text == "DB failover at 14:15"
    assert by_id[fix.id].text == "Corrected an entry: DB failover at 14:12"
    assert by_id[fix.id].original_text is None
    assert entries[0].original_text is None


def test_the_latest_correction_wins_and_the_first_words_are_still_the_original() -> None:
    note = ev("note.added", {"text": "v1"}, minute=1, hlc_ms=1)
    fix2 = ev("note.corrected", {"target": note.id, "text": "v3"}, minute=2, hlc_ms=3)
    fix1 = ev("note.corrected", {"target": note.id, "text": "v2"}, minute=3, hlc_ms=2)
    events = [declared(), fix1, note, fix2]
    entry = next(e for e in timeline(events, fold(INCIDENT, events)) if e.event.id == note.id)
    assert (entry.text, entry.original_text) == ("v3", "v1")


def test_pinned_flags_follow_pins_and_unpins() -> None:
    pinned_at_creation = ev(
        "note.added", {"text": "Decision: fail over", "pinned": True}, minute=1, hlc_ms=1
    )
    pinned_later = ev("note.added", {"text": "Root cause found"}, minute=2, hlc_ms=2)
    unpinned = ev("note.added", {"text": "Paged DBA", "pinned": True}, minute=3, hlc_ms=3)
    plain = ev("note.added", {"text": "Coffee"}, minute=4, hlc_ms=4)
    events = [
        declared(),
        pinned_at_creation,
        pinned_later,
        unpinned,
        plain,
        ev("event.pinned", {"target": pinned_later.id, "pinned": True}, minute=5, hlc_ms=5),
        ev("event.pinned", {"target": unpinned.id, "pinned": False}, minute=6, hlc_ms=6),
    ]
    flags = {e.event.id: e.pinned for e in timeline(events, fold(INCIDENT, events))}
    assert flags[pinned_at_creation.id] is True
    assert flags[pinned_later.id] is True
    assert flags[unpinned.id] is False
    assert flags[plain.id] is False


@pytest.mark.parametrize(
    ("kind", "payload", "words"),
    [
        (
            "role.assigned",
            {"role": "commander", "person": "Bo", "previous": "Ana"},
            "Incident Commander handed over from Ana to Bo",
        ),
        ("role.assigned", {"role": "commander", "person": "Ana"}, "Ana is Incident Commander"),
        (
            "role.assigned",
            {"role": "commander", "person": "Ana", "previous": "Ana"},
            "Ana is Incident Commander",
        ),
        (
            "role.assigned",
            {"role": "comms", "person": "Chen", "shadow": True},
            "Chen shadows Comms Liaison",
        ),
        ("role.released", {"role": "scribe", "person": "Dana"}, "Dana released Scribe"),
        (
            "role.released",
            {"role": "scribe", "person": "Dana", "shadow": True},
            "Dana stopped shadowing Scribe",
        ),
        ("severity.changed", {"severity": "sev1"}, "Severity changed to SEV1"),
        ("status.changed", {"status": "mitigated"}, "Status changed to Mitigated (monitoring)"),
        ("milestone.set", {"milestone": "acknowledged_at"}, "Milestone acknowledged recorded"),
        ("event.pinned", {"target": "0" * 36, "pinned": True}, "Pinned an entry"),
        ("event.pinned", {"target": "0" * 36, "pinned": False}, "Unpinned an entry"),
        ("note.added", {"text": "Line one\nline two"}, "Line one\nline two"),
        (
            "incident.declared",
            {"title": "Login slow", "severity": "4"},
            "Declared SEV4: Login slow",
        ),
    ],
)
def test_describe_wording(kind: str, payload: dict[str, Any], words: str) -> None:
    assert describe(ev(kind, payload, minute=0, hlc_ms=1)) == words


def test_describe_falls_back_to_the_kind_for_kinds_from_newer_versions() -> None:
    newer = Event("x" * 36, INCIDENT, "weather.reported", {}, T0, 1, "a", "d")
    assert describe(newer) == "weather.reported"


def test_a_handover_on_the_timeline_reads_as_one() -> None:
    events = [
        declared(),
        ev("role.assigned", {"role": "commander", "person": "Ana"}, minute=1, hlc_ms=1),
        ev(
            "role.assigned",
            {"role": "commander", "person": "Bo", "previous": "Ana"},
            minute=45,
            hlc_ms=2,
        ),
    ]
    assert texts(events)[1:] == [
        "Ana is Incident Commander",
        "Incident Commander handed over from Ana to Bo",
    ]


def test_post_mortem_edits_stay_off_the_timeline_and_pages_are_on_it() -> None:
    events = [
        declared(),
        ev(
            "postmortem.section_saved",
            {"section": "summary", "text": "x", "base": None},
            minute=5,
            hlc_ms=5,
        ),
        ev(
            "escalation.acknowledged",
            {"escalation_id": "e" * 36, "by": "Priya"},
            minute=6,
            hlc_ms=6,
        ),
    ]
    entries = timeline(events, fold(INCIDENT, events))
    assert [e.event.kind for e in entries] == ["incident.declared", "escalation.acknowledged"]
    assert entries[1].text == "Page acknowledged by Priya"
