"""Reminders: unfilled key roles and stakeholder updates falling due, from state and time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.incident.reminders import (
    DEFAULT_UPDATE_INTERVALS,
    format_minutes,
    next_update_due,
    reminders,
)
from incidentdesk.core.journal.events import Event, validate_payload
from incidentdesk.core.journal.fold import IncidentState, fold
from incidentdesk.core.journal.ids import hlc_pack

INCIDENT = "inc-0001"
T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
_ids = itertools.count(1)


class Journal:
    """Events of one incident, written in order, folded on demand."""

    def __init__(self, severity: str = "SEV1") -> None:
        self.events: list[Event] = []
        payload = {"title": "Checkout down", "severity": severity, "services": ["checkout"]}
        self.add("incident.declared", payload, 0)

    def add(self, kind: str, payload: dict[str, Any], minutes: float) -> None:
        n = next(_ids)
        at = T0 + timedelta(minutes=minutes)
        hlc = hlc_pack(int(at.timestamp() * 1000), len(self.events))  # written in order
        event_id = f"0192f3a0-0000-7000-8000-{n:012x}"
        self.events.append(
            Event(event_id, INCIDENT, kind, validate_payload(kind, payload), at, hlc, "ana", "d")
        )

    def role(self, role: str, person: str, minutes: float, shadow: bool = False) -> None:
        self.add("role.assigned", {"role": role, "person": person, "shadow": shadow}, minutes)

    def release(self, role: str, person: str, minutes: float) -> None:
        self.add("role.released", {"role": role, "person": person}, minutes)

    def note(self, minutes: float, kind: str = "update") -> None:
        self.add("note.added", {"text": f"a {kind}", "note_kind": kind}, minutes)

    def status(self, status: str, minutes: float) -> None:
        self.add("status.changed", {"status": status}, minutes)

    def state(self) -> IncidentState:
        return fold(INCIDENT, self.events)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def staffed(severity: str = "SEV1") -> Journal:
    journal = Journal(severity)
    journal.role("commander", "Maya", 1)
    journal.role("scribe", "Jonas", 2)
    return journal


def kinds(state: IncidentState, minutes: float, **kw: Any) -> list[str]:
    return [r.kind for r in reminders(state, at(minutes), **kw)]


def test_unfilled_key_roles_each_get_a_reminder() -> None:
    found = reminders(Journal("SEV3").state(), at(1))
    assert [(r.kind, r.role) for r in found] == [
        ("role_unfilled", "commander"),
        ("role_unfilled", "scribe"),
    ]
    assert found[0].message == "No Incident Commander — assign one"
    assert found[1].message == "No Scribe — assign one"
    assert all(r.due_at == T0 for r in found)


def test_filled_roles_and_shadows() -> None:
    journal = Journal("SEV3")
    journal.role("commander", "Maya", 1)
    journal.role("scribe", "Rui", 2, shadow=True)  # a shadow does not fill the role
    journal.role("comms", "Sam", 3)  # not a key role
    assert [r.role for r in reminders(journal.state(), at(4))] == ["scribe"]


def test_a_released_role_is_due_again_from_the_release() -> None:
    journal = staffed("SEV3")
    journal.release("scribe", "Jonas", 40)
    (found,) = reminders(journal.state(), at(41))
    assert found.role == "scribe"
    assert found.due_at == at(40)


def test_a_major_incident_without_commander_is_critical() -> None:
    assert [r.level for r in reminders(Journal("SEV2").state(), at(1))] == [
        "critical",
        "warning",
    ]
    assert [r.level for r in reminders(Journal("SEV3").state(), at(1))] == ["warning", "warning"]


def test_update_due_after_the_interval_counted_from_the_start() -> None:
    state = staffed("SEV1").state()
    assert kinds(state, 29.9) == []
    (due,) = reminders(state, at(42))
    assert due.kind == "update_due"
    assert due.due_at == at(30)
    assert due.message == (
        "Status update due: no update yet, started 42 min ago (SEV1: every 30 min)"
    )
    assert due.level == "warning"


def test_update_due_is_counted_from_the_last_update_and_resets_when_one_is_posted() -> None:
    journal = staffed("SEV1")
    journal.note(20)
    state = journal.state()
    assert kinds(state, 49) == []
    (due,) = reminders(state, at(62))
    assert due.message == "Status update due: last update 42 min ago (SEV1: every 30 min)"
    assert due.due_at == at(50)

    journal.note(62)
    state = journal.state()
    assert kinds(state, 62) == []
    assert next_update_due(state) == at(92)


def test_other_kinds_of_note_do_not_reset_the_timer() -> None:
    journal = staffed("SEV1")
    for kind in ("note", "decision", "action", "observation"):
        journal.note(35, kind)
    assert kinds(journal.state(), 36) == ["update_due"]


def test_an_update_missed_by_a_whole_interval_is_critical() -> None:
    state = staffed("SEV2").state()
    assert [r.level for r in reminders(state, at(119))] == ["warning"]
    assert [r.level for r in reminders(state, at(120))] == ["critical"]
    assert "SEV2: every 60 min" in reminders(state, at(120))[0].message


def test_sev3_and_lower_have_no_timer_by_default() -> None:
    for severity in ("SEV3", "SEV4", "SEV5"):
        state = staffed(severity).state()
        assert kinds(state, 24 * 60) == []
        assert next_update_due(state) is None


def test_intervals_are_configurable() -> None:
    state = staffed("SEV3").state()
    custom = {"SEV3": timedelta(hours=2)}
    assert kinds(state, 119, intervals=custom) == []
    (due,) = reminders(state, at(125), intervals=custom)
    assert due.message.endswith("(SEV3: every 2 h)")
    # A severity left out (or a zero interval) has no timer.
    assert kinds(staffed("SEV1").state(), 600, intervals=custom) == []
    assert kinds(staffed("SEV1").state(), 600, intervals={"SEV1": timedelta(0)}) == []


def test_the_timer_follows_a_severity_change() -> None:
    journal = staffed("SEV3")
    assert kinds(journal.state(), 45) == []
    journal.add("severity.changed", {"severity": "SEV1"}, 44)
    assert kinds(journal.state(), 45) == ["update_due"]


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_no_reminders_once_the_incident_is_resolved(status: str) -> None:
    journal = Journal("SEV1")
    journal.status(status, 5)
    assert kinds(journal.state(), 600) == []


def test_a_mitigated_incident_is_still_active() -> None:
    journal = staffed("SEV1")
    journal.status("mitigated", 5)
    assert kinds(journal.state(), 31) == ["update_due"]


def test_an_undeclared_state_has_no_reminders() -> None:
    assert reminders(IncidentState(INCIDENT), at(600)) == []


def test_the_defaults_cover_the_major_severities() -> None:
    assert dict(DEFAULT_UPDATE_INTERVALS) == {
        "SEV1": timedelta(minutes=30),
        "SEV2": timedelta(minutes=60),
    }
    with pytest.raises(TypeError):
        DEFAULT_UPDATE_INTERVALS["SEV3"] = timedelta(hours=1)  # type: ignore[index]


@given(
    last_update=st.one_of(st.none(), st.integers(0, 600)),
    now=st.integers(0, 2000),
    interval=st.integers(1, 240),
)
def test_update_due_exactly_when_the_interval_has_passed(
    last_update: int | None, now: int, interval: int
) -> None:
    journal = staffed("SEV2")
    if last_update is not None:
        journal.note(last_update)
    since = 0 if last_update is None else last_update
    intervals = {"SEV2": timedelta(minutes=interval)}
    due = kinds(journal.state(), since + now, intervals=intervals) == ["update_due"]
    assert due == (now >= interval)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=42, seconds=30), "42 min"),
        (timedelta(minutes=65), "1 h 05 min"),
        (timedelta(days=2, hours=3, minutes=9), "2 d 3 h"),
        (timedelta(minutes=-5), "0 min"),
    ],
)
def test_format_minutes(delta: timedelta, text: str) -> None:
    assert format_minutes(delta) == text
