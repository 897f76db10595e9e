"""fold(): state is a pure function of the set of events, whatever order they arrive in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.core.incident.lifecycle import MILESTONES, STATUSES
from incidentdesk.core.incident.roles import ROLE_BY_KEY, ROLES
from incidentdesk.core.journal.events import NOTE_KINDS, Event, validate_payload
from incidentdesk.core.journal.fold import IncidentState, RoleChange, apply, fold, state_summary
from incidentdesk.core.journal.ids import hlc_pack

INCIDENT = "inc-0001"
T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)
DEVICES = ("dev-a", "dev-b", "dev-c")
PEOPLE = ("Ana", "Bo", "Chen", "Dana")
SEVERITY_INPUTS = ("SEV1", "sev2", "SEV-3", "4", "S5")
NOTES = ("Checkout returns 502", "Rolled back deploy 4711", "Error rate back to normal")

_ids = itertools.count(1)


def event_id(n: int) -> str:
    """A 36-character, UUID-shaped id (note.corrected and event.pinned need that shape)."""
    return f"0192f3a0-{n >> 16 & 0xFFFF:04x}-7{n & 0xFFF:03x}-8000-{n:012x}"


def ev(
    kind: str,
    payload: dict[str, Any],
    *,
    hlc: int,
    device: str = "dev-a",
    at: datetime = T0,
    author: str = "ana",
    id: str | None = None,
    incident: str = INCIDENT,
) -> Event:
    return Event(
        id or event_id(next(_ids)),
        incident,
        kind,
        validate_payload(kind, payload),
        at,
        hlc,
        author,
        device,
    )


def h(ms_after_t0: int, counter: int = 0) -> int:
    return hlc_pack(T0_MS + ms_after_t0, counter)


def declared(**kw: Any) -> Event:
    payload = {"title": "Checkout down", "severity": "SEV2", "services": ["checkout"]}
    return ev("incident.declared", payload, hlc=h(0), **kw)


# --- a strategy for one incident's realistic journal ----------------------------------------

_people = st.sampled_from(PEOPLE)
_roles = st.sampled_from([r.key for r in ROLES] + ["commander", "sme", "sme"])  # weight a bit


def _payload(kind: str, n: int) -> st.SearchStrategy[dict[str, Any]]:
    target = st.integers(0, n - 1).map(event_id)
    if kind == "severity.changed":
        return st.fixed_dictionaries({"severity": st.sampled_from(SEVERITY_INPUTS)})
    if kind == "status.changed":
        return st.fixed_dictionaries({"status": st.sampled_from(STATUSES)})
    if kind == "milestone.set":
        return st.fixed_dictionaries({"milestone": st.sampled_from(MILESTONES)})
    if kind == "role.assigned":
        return st.fixed_dictionaries(
            {"role": _roles, "person": _people},
            optional={"shadow": st.booleans(), "previous": st.none() | _people},
        )
    if kind == "role.released":
        return st.fixed_dictionaries(
            {"role": _roles, "person": _people}, optional={"shadow": st.booleans()}
        )
    if kind == "note.added":
        return st.fixed_dictionaries(
            {"text": st.sampled_from(NOTES)},
            optional={"note_kind": st.sampled_from(NOTE_KINDS), "pinned": st.booleans()},
        )
    if kind == "note.corrected":
        return st.fixed_dictionaries({"target": target, "text": st.sampled_from(NOTES)})
    assert kind == "event.pinned"
    return st.fixed_dictionaries({"target": target, "pinned": st.booleans()})


LATER_KINDS = (
    "severity.changed",
    "status.changed",
    "milestone.set",
    "role.assigned",
    "role.assigned",
    "role.released",
    "note.added",
    "note.corrected",
    "event.pinned",
)


@st.composite
def incident_journal(draw: st.DrawFn, max_events: int = 30) -> list[Event]:
    """incident.declared first by hlc, then a random mix of later events from 3 devices."""
    n = draw(st.integers(0, max_events)) + 1
    device = draw(st.sampled_from(DEVICES))
    events = [declared(device=device, id=event_id(0))]
    used = {(events[0].hlc, device)}
    for i in range(1, n):
        kind = draw(st.sampled_from(LATER_KINDS))
        payload = draw(_payload(kind, n))
        device = draw(st.sampled_from(DEVICES))
        hlc = h(draw(st.integers(1, 40)), draw(st.integers(0, 3)))
        while (hlc, device) in used:  # one device never records two events at one hlc
            hlc += 1
        used.add((hlc, device))
        at = T0 + timedelta(minutes=draw(st.integers(-30, 240)))  # back-dating included
        author = draw(st.sampled_from(("ana", "bo", "scribe")))
        events.append(
            Event(
                event_id(i),
                INCIDENT,
                kind,
                validate_payload(kind, payload),
                at,
                hlc,
                author,
                device,
            )
        )
    return events


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(events=incident_journal(), data=st.data())
def test_any_arrival_order_folds_to_the_same_state(
    events: list[Event], data: st.DataObject
) -> None:
    expected = fold(INCIDENT, events)
    shuffled = data.draw(st.permutations(events), label="arrival order")
    assert fold(INCIDENT, shuffled) == expected
    assert fold(INCIDENT, reversed(events)) == expected
    assert expected.declared and expected.event_count == len(events)


@settings(max_examples=100, deadline=None)
@given(events=incident_journal(), data=st.data())
def test_receiving_events_twice_changes_nothing(events: list[Event], data: st.DataObject) -> None:
    expected = fold(INCIDENT, events)
    again = data.draw(st.lists(st.sampled_from(events), min_size=1, max_size=20), label="dupes")
    mixed = data.draw(st.permutations(events + again), label="arrival order")
    assert fold(INCIDENT, mixed) == expected
    assert fold(INCIDENT, events + events) == expected


@settings(max_examples=100, deadline=None)
@given(events=incident_journal(), data=st.data())
def test_two_replicas_syncing_in_either_direction_agree(
    events: list[Event], data: st.DataObject
) -> None:
    # Each replica has some of the events (both have the declaration); after copying what the
    # other lacks they hold the same set and must show the same state.
    mine = [e for e in events if e is events[0] or data.draw(st.booleans())]
    theirs = [e for e in events if e is events[0] or e not in mine or data.draw(st.booleans())]
    assert fold(INCIDENT, mine + theirs) == fold(INCIDENT, theirs + mine)
    assert fold(INCIDENT, mine + theirs) == fold(INCIDENT, events)


@settings(max_examples=100, deadline=None)
@given(events=incident_journal())
def test_board_invariants_hold_for_any_journal(events: list[Event]) -> None:
    state = fold(INCIDENT, events)
    for role, holders in state.roles.items():
        people = [holder.person for holder in holders]
        assert len(people) == len(set(people)), f"{role} lists a person twice"
        if not ROLE_BY_KEY[role].several:
            assert len(people) <= 1, f"{role} has several holders: {people}"
    for change in state.role_history:
        if change.change == "handover":
            assert change.previous and change.previous != change.person
    assert state.status in STATUSES
    assert set(state.milestones) <= set(MILESTONES)


@settings(max_examples=50, deadline=None)
@given(events=incident_journal())
def test_applying_one_event_at_a_time_matches_fold(events: list[Event]) -> None:
    # The store keeps projections up to date by applying each new event to the cached state.
    state = IncidentState(id=INCIDENT)
    for event in sorted(events, key=lambda e: e.key):
        apply(state, event)
    assert state == fold(INCIDENT, events)


# --- last-writer-wins for roles -------------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True], ids=["ana-first", "bo-first"])
def test_concurrent_assignments_same_hlc_larger_device_wins(reverse: bool) -> None:
    # Two workstations, offline, each name a commander at the same HLC. dev-b > dev-a.
    ana = ev("role.assigned", {"role": "commander", "person": "Ana"}, hlc=h(10), device="dev-a")
    bo = ev("role.assigned", {"role": "commander", "person": "Bo"}, hlc=h(10), device="dev-b")
    arrival = [declared(), bo, ana] if reverse else [declared(), ana, bo]
    state = fold(INCIDENT, arrival)
    assert state.holders("commander") == ["Bo"]
    assert [(c.change, c.person, c.previous) for c in state.role_history] == [
        ("assigned", "Ana", None),
        ("handover", "Bo", "Ana"),
    ]


@pytest.mark.parametrize("reverse", [False, True])
def test_later_hlc_wins_even_if_it_happened_earlier_and_has_the_smaller_device(
    reverse: bool,
) -> None:
    later_by_hlc = ev(
        "role.assigned",
        {"role": "scribe", "person": "Chen"},
        hlc=h(20),
        device="dev-a",
        at=T0 + timedelta(minutes=1),
    )
    earlier_by_hlc = ev(
        "role.assigned",
        {"role": "scribe", "person": "Dana"},
        hlc=h(10),
        device="dev-z",
        at=T0 + timedelta(minutes=30),
    )
    pair = [later_by_hlc, earlier_by_hlc]
    state = fold(INCIDENT, [declared(), *(reversed(pair) if reverse else pair)])
    assert state.holders("scribe") == ["Chen"]


@settings(max_examples=100, deadline=None)
@given(
    hlcs=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    devices=st.tuples(st.sampled_from(DEVICES), st.sampled_from(DEVICES)),
    role=st.sampled_from([r.key for r in ROLES if not r.several]),
    reverse=st.booleans(),
)
def test_role_is_last_writer_wins_by_key(
    hlcs: tuple[int, int], devices: tuple[str, str], role: str, reverse: bool
) -> None:
    a = ev("role.assigned", {"role": role, "person": "Ana"}, hlc=h(hlcs[0]), device=devices[0])
    b = ev("role.assigned", {"role": role, "person": "Bo"}, hlc=h(hlcs[1]), device=devices[1])
    winner = max((a, b), key=lambda e: e.key)
    arrival = [b, a] if reverse else [a, b]
    state = fold(INCIDENT, [declared(), *arrival])
    assert state.holders(role) == [winner.payload["person"]]


def test_several_experts_hold_the_sme_role_together() -> None:
    events = [
        declared(),
        ev("role.assigned", {"role": "sme", "person": "Ana"}, hlc=h(1), device="dev-a"),
        ev("role.assigned", {"role": "sme", "person": "Bo"}, hlc=h(1), device="dev-b"),
        ev("role.assigned", {"role": "sme", "person": "Ana"}, hlc=h(2), device="dev-b"),
    ]
    state = fold(INCIDENT, events)
    assert state.holders("sme") == ["Ana", "Bo"]
    assert [c.change for c in state.role_history] == ["assigned", "assigned"]


def test_shadow_is_kept_apart_from_the_holder() -> None:
    events = [
        declared(),
        ev("role.assigned", {"role": "commander", "person": "Ana"}, hlc=h(1)),
        ev("role.assigned", {"role": "commander", "person": "Chen", "shadow": True}, hlc=h(2)),
        ev("role.assigned", {"role": "commander", "person": "Dana", "shadow": True}, hlc=h(3)),
    ]
    state = fold(INCIDENT, events)
    assert state.holders("commander") == ["Ana"]
    assert state.shadows["commander"].person == "Dana"
    assert state.role_history[-1].change == "handover"
    assert state.role_history[-1].shadow is True
    assert state.people() == ["Ana", "Chen", "Dana"]


# --- stale releases ---------------------------------------------------------------------------


def _board(state: IncidentState) -> tuple[Any, ...]:
    return state.roles, state.shadows, state.role_history


@pytest.mark.parametrize(
    ("setup", "stale"),
    [
        pytest.param(
            [
                ("commander", "Ana", False),
                ("commander", "Bo", False),
            ],
            ("commander", "Ana", False),
            id="commander-handed-over-then-old-holder-released",
        ),
        pytest.param(
            [("sme", "Ana", False), ("sme", "Bo", False)],
            ("sme", "Chen", False),
            id="sme-never-held",
        ),
        pytest.param(
            [("scribe", "Ana", False), ("scribe", "Chen", True), ("scribe", "Dana", True)],
            ("scribe", "Chen", True),
            id="shadow-replaced-then-old-shadow-released",
        ),
        pytest.param([], ("deputy", "Ana", False), id="role-never-filled"),
    ],
)
def test_stale_release_changes_nothing(
    setup: list[tuple[str, str, bool]], stale: tuple[str, str, bool]
) -> None:
    events = [declared()]
    for n, (role, person, shadow) in enumerate(setup, start=1):
        payload = {"role": role, "person": person, "shadow": shadow}
        events.append(ev("role.assigned", payload, hlc=h(n)))
    before = fold(INCIDENT, events)
    role, person, shadow = stale
    release = ev(
        "role.released",
        {"role": role, "person": person, "shadow": shadow},
        hlc=h(100),
        device="dev-b",
    )
    after = fold(INCIDENT, [*events, release])
    assert _board(after) == _board(before)
    assert after.event_count == before.event_count + 1  # still in the journal


def test_release_by_the_current_holder_frees_the_role() -> None:
    events = [
        declared(),
        ev("role.assigned", {"role": "commander", "person": "Ana"}, hlc=h(1)),
        ev("role.released", {"role": "commander", "person": "Ana"}, hlc=h(2)),
    ]
    state = fold(INCIDENT, events)
    assert state.holders("commander") == []
    assert state.role_history[-1] == RoleChange(
        events[2].id, "commander", "released", "Ana", None, False, T0, "ana"
    )
    assert state_summary(state)["commander"] is None


def test_release_recorded_before_a_concurrent_handover_does_not_remove_the_new_holder() -> None:
    # Ana releases on her laptop (hlc 5); meanwhile Bo was handed the role (hlc 3) elsewhere.
    events = [
        declared(),
        ev("role.assigned", {"role": "commander", "person": "Ana"}, hlc=h(1), device="dev-a"),
        ev("role.assigned", {"role": "commander", "person": "Bo"}, hlc=h(3), device="dev-b"),
        ev("role.released", {"role": "commander", "person": "Ana"}, hlc=h(5), device="dev-a"),
    ]
    assert fold(INCIDENT, events).holders("commander") == ["Bo"]


# --- the rest of the state ---------------------------------------------------------------------


def test_a_typical_incident_folds_into_what_the_commander_sees() -> None:
    at = [T0 + timedelta(minutes=m) for m in range(0, 100, 10)]
    events = [
        declared(at=at[0]),
        ev("severity.changed", {"severity": "sev1"}, hlc=h(1), at=at[1]),
        ev("role.assigned", {"role": "commander", "person": "Ana"}, hlc=h(2)),
        ev("milestone.set", {"milestone": "acknowledged_at"}, hlc=h(3), at=at[2]),
        ev("status.changed", {"status": "mitigated"}, hlc=h(4), at=at[3]),
        ev(
            "note.added", {"text": "Status page updated", "note_kind": "update"}, hlc=h(5), at=at[4]
        ),
        ev("status.changed", {"status": "resolved"}, hlc=h(6), at=at[5]),
    ]
    state = fold(INCIDENT, events)
    assert (state.title, state.severity, state.status) == ("Checkout down", "SEV1", "resolved")
    assert not state.active
    assert state.milestones == {
        "started_at": at[0],
        "detected_at": at[0],
        # Ana took command at the start, before the explicit milestone: that is Acknowledged.
        "acknowledged_at": at[0],
        "mitigated_at": at[3],
        "resolved_at": at[5],
    }
    assert state.acknowledged_recorded == at[2]
    assert state.last_update_at == at[4]
    assert state.note_count == 1
    assert state_summary(state) == {
        "id": INCIDENT,
        "title": "Checkout down",
        "severity": "SEV1",
        "status": "resolved",
        "services": ["checkout"],
        "commander": "Ana",
        "started_at": at[0],
        "detected_at": state.milestones["detected_at"],
        "acknowledged_at": state.milestones["acknowledged_at"],
        "mitigated_at": state.milestones["mitigated_at"],
        "resolved_at": at[5],
        "drill": False,
        "event_count": 7,
        "postmortem_state": None,  # no post-mortem started
        "postmortem_published_at": None,
        "open_actions": 0,
        "action_items": [],
    }


def test_reopening_clears_the_later_milestones() -> None:
    events = [
        declared(),
        ev("status.changed", {"status": "resolved"}, hlc=h(1), at=T0 + timedelta(hours=1)),
        ev("status.changed", {"status": "investigating"}, hlc=h(2), at=T0 + timedelta(hours=2)),
    ]
    state = fold(INCIDENT, events)
    assert state.status == "investigating" and state.active
    assert "resolved_at" not in state.milestones


def test_events_of_other_incidents_and_unknown_kinds_are_handled() -> None:
    other = ev("severity.changed", {"severity": "SEV1"}, hlc=h(1), incident="inc-other")
    newer = Event(event_id(next(_ids)), INCIDENT, "weather.reported", {"x": 1}, T0, h(2), "a", "d")
    state = fold(INCIDENT, [declared(), other, newer])
    assert state.severity == "SEV2"  # the other incident's change does not leak in
    assert state.event_count == 2  # a kind from a newer version is counted, not fatal
    assert state.last_key == newer.key


def test_pins_and_corrections_follow_the_last_event_by_order() -> None:
    note = ev("note.added", {"text": "DB failover at 10:15", "pinned": True}, hlc=h(1))
    unpin = ev("event.pinned", {"target": note.id, "pinned": False}, hlc=h(2))
    fix1 = ev("note.corrected", {"target": note.id, "text": "DB failover at 10:12"}, hlc=h(3))
    fix2 = ev("note.corrected", {"target": note.id, "text": "DB failover at 10:11"}, hlc=h(4))
    state = fold(INCIDENT, [fix2, unpin, declared(), fix1, note])
    assert note.id not in state.pinned
    assert state.corrections == {note.id: "DB failover at 10:11"}


def test_an_event_whose_payload_this_version_cannot_apply_is_counted_not_fatal() -> None:
    odd = Event(
        event_id(next(_ids)), INCIDENT, "review.state_changed", {"state": "x"}, T0, h(2), "a", "d"
    )
    state = fold(INCIDENT, [declared(), odd])
    assert (state.declared, state.event_count, state.unreadable) == (True, 2, 1)
