"""Event ids (UUIDv7) and the hybrid logical clock."""

from __future__ import annotations

import time
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.core.journal.ids import (
    hlc_next,
    hlc_pack,
    hlc_unpack,
    new_device_id,
    new_event_id,
)

MS_2026 = 1_795_000_000_000
COUNTER_MAX = 0xFFFF
_ms = st.integers(0, (1 << 48) - 1)


def test_event_id_is_a_version_7_rfc_uuid_carrying_its_millisecond() -> None:
    value = new_event_id(MS_2026)
    parsed = uuid.UUID(value)
    assert len(value) == 36 and str(parsed) == value
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == MS_2026


def test_event_id_uses_the_wall_clock_when_no_time_is_given() -> None:
    before = int(time.time() * 1000)
    value = new_event_id()
    after = int(time.time() * 1000)
    assert before <= uuid.UUID(value).int >> 80 <= after


def test_ids_made_in_the_same_millisecond_are_distinct() -> None:
    ids = {new_event_id(MS_2026) for _ in range(2000)}
    assert len(ids) == 2000


@given(a=_ms, b=_ms)
def test_ids_sort_by_time_across_milliseconds(a: int, b: int) -> None:
    first, second = new_event_id(a), new_event_id(b)
    if a < b:
        assert first < second
    elif a > b:
        assert first > second
    assert uuid.UUID(first).version == uuid.UUID(second).version == 7


def test_device_ids_are_short_and_distinct() -> None:
    ids = {new_device_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(len(d) == 12 and int(d, 16) >= 0 for d in ids)


@given(ms=_ms, counter=st.integers(0, COUNTER_MAX))
def test_hlc_pack_round_trips_and_sorts_like_the_pair(ms: int, counter: int) -> None:
    assert hlc_unpack(hlc_pack(ms, counter)) == (ms, counter)
    if counter < COUNTER_MAX:
        assert hlc_pack(ms, counter) < hlc_pack(ms, counter + 1) < hlc_pack(ms + 1, 0)


@settings(max_examples=300)
@given(latest=st.integers(0, (1 << 63) - 1), wall=st.integers(0, (1 << 47) - 1))
def test_hlc_next_is_always_after_everything_seen_and_not_before_the_wall_clock(
    latest: int, wall: int
) -> None:
    value = hlc_next(latest, wall)
    assert value > latest
    assert value >= hlc_pack(wall, 0)


@given(walls=st.lists(st.integers(MS_2026 - 10_000, MS_2026 + 10_000), min_size=2, max_size=50))
def test_hlc_never_goes_backwards_when_the_wall_clock_jumps_around(walls: list[int]) -> None:
    latest = 0
    for wall in walls:
        value = hlc_next(latest, wall)
        assert value > latest
        latest = value


def test_wall_clock_set_back_keeps_counting_from_the_last_value() -> None:
    first = hlc_next(0, MS_2026)
    assert first == hlc_pack(MS_2026, 0)
    # NTP steps the clock back five seconds: the clock stays at the old millisecond.
    assert hlc_next(first, MS_2026 - 5000) == hlc_pack(MS_2026, 1)
    # Once the wall clock passes it again, the counter starts over.
    assert hlc_next(hlc_pack(MS_2026, 1), MS_2026 + 1) == hlc_pack(MS_2026 + 1, 0)


def test_hlc_moves_past_a_remote_value_from_a_clock_that_runs_ahead() -> None:
    local = hlc_pack(MS_2026, 3)
    remote = hlc_pack(MS_2026 + 60_000, 7)  # another workstation is a minute ahead
    reply = hlc_next(max(local, remote), wall_ms=MS_2026 + 200)
    assert reply > remote
    assert hlc_unpack(reply) == (MS_2026 + 60_000, 8)


def test_counter_overflow_borrows_the_next_millisecond() -> None:
    full = hlc_pack(MS_2026, COUNTER_MAX)
    assert hlc_next(full, MS_2026) == hlc_pack(MS_2026 + 1, 0)
    assert hlc_next(full, MS_2026 - 3) == hlc_pack(MS_2026 + 1, 0)


def test_a_burst_in_one_millisecond_stays_strictly_ordered() -> None:
    latest = 0
    values = []
    for _ in range(COUNTER_MAX + 10):
        latest = hlc_next(latest, MS_2026)
        values.append(latest)
    assert values == sorted(set(values))
    assert hlc_unpack(values[COUNTER_MAX]) == (MS_2026, COUNTER_MAX)
    assert hlc_unpack(values[COUNTER_MAX + 1]) == (MS_2026 + 1, 0)
