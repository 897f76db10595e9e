"""The trust boundary: one raw row from outside becomes an event or a named rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.core.journal.boundary import (
    PAYLOAD_MAX_BYTES,
    RAW_KEEP_BYTES,
    Rejected,
    canonical_raw,
    check_row,
)
from incidentdesk.core.journal.events import KINDS, Event
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import to_micros

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NOW_MS = to_micros(NOW) // 1000
INCIDENT = new_event_id(NOW_MS - 60_000)
NOTE = new_event_id(NOW_MS - 1000)


def row(**changes: Any) -> dict[str, Any]:
    """A sound ``note.added`` row as the shared server gives it."""
    base: dict[str, Any] = {
        "id": NOTE,
        "incident_id": INCIDENT,
        "kind": "note.added",
        "payload": json.dumps({"text": "gateway 502s", "note_kind": "note", "pinned": False}),
        "occurred_at_us": to_micros(NOW) - 5_000_000,
        "hlc": hlc_pack(NOW_MS - 1000, 3),
        "author": "Maya Chen",
        "device": "a1b2c3d4e5f6",
        "recorded_by": "maya",
        "received_at_us": to_micros(NOW),
    }
    base.update(changes)
    return base


def reason(raw: dict[str, Any]) -> str:
    checked = check_row(raw, NOW)
    assert isinstance(checked, Rejected), checked
    return checked.reason


def test_a_sound_row_becomes_the_event() -> None:
    event = check_row(row(), NOW)
    assert isinstance(event, Event)
    assert (event.id, event.incident_id, event.kind) == (NOTE, INCIDENT, "note.added")
    assert event.payload == {"text": "gateway 502s", "note_kind": "note", "pinned": False}
    assert event.occurred_at == NOW - timedelta(seconds=5)
    assert (event.author, event.device, event.recorded_by) == ("Maya Chen", "a1b2c3d4e5f6", "maya")
    assert event.received_at == NOW


def test_an_archive_line_reads_the_same() -> None:
    line = row(payload={"text": "gateway 502s"}, occurred_at="2026-12-07T11:59:55+00:00")
    del line["occurred_at_us"], line["recorded_by"], line["received_at_us"]
    event = check_row(line, NOW, keep_extra=True)
    assert isinstance(event, Event)
    assert event.occurred_at == NOW - timedelta(seconds=5)
    assert event.payload["note_kind"] == "note", "defaults are written in"
    assert event.recorded_by is None and event.received_at is None


@pytest.mark.parametrize("field", ["id", "incident_id"])
@pytest.mark.parametrize(
    "value",
    ["", "not-a-uuid", NOTE.upper(), NOTE + "0", None, 7, NOTE.replace("-", "")],
    # Named, not shown: NOTE is new each run, and every xdist worker must collect the same ids.
    ids=["empty", "not-a-uuid", "upper-case", "too-long", "none", "int", "no-dashes"],
)
def test_ids_must_be_lowercase_uuids(field: str, value: Any) -> None:
    assert reason(row(**{field: value})) == f"{field} is not a lowercase UUID"


def test_a_declaration_carries_its_incidents_id() -> None:
    payload = json.dumps({"title": "Payments down", "severity": "SEV1"})
    assert isinstance(
        check_row(row(id=INCIDENT, kind="incident.declared", payload=payload), NOW), Event
    )
    declared = row(kind="incident.declared", payload=payload)
    assert reason(declared) == "an incident.declared event must have its incident's id"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("", "kind is empty"),
        (None, "kind is not text"),
        (["note.added"], "kind is not text"),
        ("note", "kind is not dotted lowercase words"),
        ("Note.Added", "kind is not dotted lowercase words"),
        ("note.added\n", "kind is not dotted lowercase words"),
        ("note.added; DROP TABLE", "kind is not dotted lowercase words"),
        ("a." + "b" * 70, "kind is not dotted lowercase words"),
    ],
)
def test_a_kind_is_dotted_lowercase_words(kind: Any, expected: str) -> None:
    assert reason(row(kind=kind)) == expected


def test_an_unknown_well_formed_kind_is_kept_as_written_for_newer_peers() -> None:
    payload = {"who": "Ana", "layers": [1, 2], "extra": {"deep": None}}
    event = check_row(row(kind="oncall.override_set", payload=json.dumps(payload)), NOW)
    assert isinstance(event, Event) and event.payload == payload


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("not json at all", "payload is not JSON"),
        ("", "payload is not JSON"),
        ("[1, 2]", "payload is not a JSON object"),
        ('"text"', "payload is not a JSON object"),
        ("null", "payload is not a JSON object"),
        (None, "payload is not a JSON object"),
        (42, "payload is not a JSON object"),
        (b"\xff\xfe", "payload is not UTF-8 text"),
        ('{"text": "a\\u0000b"}', "payload text holds a NUL character"),
        ('{"te\\u0000xt": "ab"}', "payload text holds a NUL character"),
        ('{"text": "a\\ud800b"}', "payload text holds a lone surrogate"),
        ('{"x": [{"y": ["\\udfff"]}]}', "payload text holds a lone surrogate"),
        ('{"x": NaN}', "payload holds a number that is not finite (NaN or Infinity)"),
        ('{"x": [-Infinity]}', "payload holds a number that is not finite (NaN or Infinity)"),
        ("[" * 100_000 + "]" * 100_000, "payload is nested too deeply"),
    ],
)
def test_a_payload_is_a_clean_json_object(payload: Any, expected: str) -> None:
    assert reason(row(kind="vendor.thing", payload=payload)) == expected


def test_deep_nesting_is_rejected_not_raised() -> None:
    deep = '{"a":' * 50_000 + "1" + "}" * 50_000
    assert reason(row(kind="vendor.thing", payload=deep)) == "payload is nested too deeply"


def test_a_payload_over_one_mebibyte_is_rejected() -> None:
    just = json.dumps({"text": "x" * (PAYLOAD_MAX_BYTES - 20)})
    assert len(just.encode()) <= PAYLOAD_MAX_BYTES
    assert isinstance(check_row(row(kind="vendor.thing", payload=just), NOW), Event)
    big = json.dumps({"text": "x" * PAYLOAD_MAX_BYTES})
    assert reason(row(kind="vendor.thing", payload=big)).startswith("payload is too large")
    wide = json.dumps({"text": "é" * (PAYLOAD_MAX_BYTES // 2)}, ensure_ascii=False)
    assert len(wide) < PAYLOAD_MAX_BYTES < len(wide.encode())
    assert reason(row(kind="vendor.thing", payload=wide)).startswith("payload is too large")
    parsed = {"text": "x" * PAYLOAD_MAX_BYTES}
    assert reason(row(kind="vendor.thing", payload=parsed)).startswith("payload is too large")


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("note.added", {"text": ["a list"]}),
        ("note.added", {}),
        ("note.added", {"text": "x", "pinned": "yes"}),
        ("incident.declared", {"title": {"a": 1}, "severity": "SEV1"}),
        ("incident.declared", {"title": "t", "severity": [1]}),
        ("role.assigned", {"role": ["commander"], "person": "Ana"}),
        ("role.assigned", {"role": "commander", "person": {}}),
        ("status.changed", {"status": None}),
        ("event.pinned", {"target": 12}),
    ],
)
def test_a_known_kind_with_the_wrong_shape_is_rejected(kind: str, payload: Any) -> None:
    incident = kind == "incident.declared"
    raw = row(kind=kind, payload=json.dumps(payload), **({"id": INCIDENT} if incident else {}))
    assert reason(raw).startswith(("payload breaks the rules of", "payload has the wrong shape"))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KINDS), payload=st.dictionaries(st.text(max_size=12), JSON))
def test_no_payload_of_any_known_kind_makes_the_check_raise(kind: str, payload: Any) -> None:
    result = check_row(row(kind=kind, id=INCIDENT, payload=json.dumps(payload)), NOW)
    assert isinstance(result, Event | Rejected)


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(list(row())), JSON | st.binary(max_size=8)))
def test_no_row_makes_the_check_raise(fields: dict[str, Any]) -> None:
    result = check_row(row(**fields), NOW)
    assert isinstance(result, Event | Rejected)
    raw, fingerprint = canonical_raw(row(**fields))
    assert len(fingerprint) == 64 and raw.isascii()


@pytest.mark.parametrize(
    ("hlc", "expected"),
    [
        (2**63 - 1, "hlc is after the year 2200"),
        (2**63, "hlc is out of range"),
        (-1, "hlc is out of range"),
        ("12345", "hlc is not a whole number"),
        (12.0, "hlc is not a whole number"),
        (True, "hlc is not a whole number"),
        (None, "hlc is not a whole number"),
        (hlc_pack(NOW_MS + 365 * 86_400_000, 0), "hlc is more than a day ahead"),
        (hlc_pack(NOW_MS + 86_400_000 + 1, 0), "hlc is more than a day ahead"),
    ],
)
def test_an_hlc_is_a_sane_clock(hlc: Any, expected: str) -> None:
    assert reason(row(hlc=hlc)).startswith(expected)


def test_an_hlc_up_to_a_day_ahead_or_long_past_is_accepted() -> None:
    for hlc in (hlc_pack(NOW_MS + 86_400_000, 65_535), hlc_pack(0, 1), 0):
        assert isinstance(check_row(row(hlc=hlc), NOW), Event), hlc


@pytest.mark.parametrize(
    "changes",
    [
        {"occurred_at_us": -1},
        {"occurred_at_us": to_micros(datetime(2200, 1, 1, tzinfo=UTC))},
        {"occurred_at_us": -62135596800000000},  # year 1
        {"occurred_at_us": 253402300799000000},  # year 9999
        {"occurred_at_us": 2**70},
        {"occurred_at_us": None, "occurred_at": "0001-01-01T00:00:01+00:00"},
        {"occurred_at_us": None, "occurred_at": "9999-12-31T23:59:59+00:00"},
        {"occurred_at_us": None, "occurred_at": "0001-01-01T00:00:00+01:00"},
    ],
)
def test_occurred_at_lies_between_1970_and_2200(changes: dict[str, Any]) -> None:
    raw = row(**changes)
    if raw["occurred_at_us"] is None:
        del raw["occurred_at_us"]
    assert reason(raw) == "occurred_at is outside 1970..2200"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (None, "is empty"),
        (7, "is empty"),
        ("x" * 201, "is longer than"),
        ("Maya\x1b[31m", "holds a control character"),
        ("Maya\nChen", "holds a control character"),
        ("Maya\ud800", "holds a control character"),
    ],
)
@pytest.mark.parametrize("field", ["author", "device", "recorded_by"])
def test_names_are_short_and_printable(field: str, value: Any, expected: str) -> None:
    if field == "recorded_by" and value is None:
        return  # an event not through the server yet has none
    if field == "device" and expected == "is longer than":
        value = "x" * 65
    assert reason(row(**{field: value})) == f"{field} {expected}" + (
        f" {200 if field != 'device' else 64} characters" if expected == "is longer than" else ""
    )


def test_a_rejection_names_the_row_as_received_but_printable() -> None:
    checked = check_row(row(payload="nope", author="Eve\x1b]0;pwned\x07", kind="x" * 500), NOW)
    assert isinstance(checked, Rejected)
    assert checked.event_id == NOTE and checked.author == "Eve\\u001b]0;pwned\\u0007"
    assert len(checked.kind) == 200


def test_the_fingerprint_names_the_row_and_the_raw_keeps_it() -> None:
    raw, fingerprint = canonical_raw(row(payload="not json"))
    again, same = canonical_raw(dict(reversed(list(row(payload="not json").items()))))
    assert (raw, fingerprint) == (again, same)
    assert canonical_raw(row(payload="not json!"))[1] != fingerprint
    assert json.loads(raw)["payload"] == "not json"
    surrogate, _ = canonical_raw(row(payload='{"t": "\ud800"}'))
    assert surrogate.isascii() and json.loads(surrogate)["payload"] == '{"t": "\ud800"}'


def test_a_huge_payload_is_kept_as_its_size_hash_and_head() -> None:
    huge = row(payload="x" * (10 * 1024 * 1024))
    raw, fingerprint = canonical_raw(huge)
    assert len(raw) < RAW_KEEP_BYTES
    kept = json.loads(raw)["payload"]
    assert kept["truncated"] is True and kept["chars"] == 10 * 1024 * 1024
    _other, other_fingerprint = canonical_raw(row(payload="x" * (10 * 1024 * 1024 - 1) + "y"))
    assert other_fingerprint != fingerprint
