"""Retry policy: delays grow with bounded jitter, Retry-After is honoured, old triggers stop."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.core.escalation.backoff import (
    MAX_DELAY,
    max_age_for,
    next_delay,
    parse_retry_after,
    should_give_up,
)

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def test_delays_grow_and_stay_within_their_jitter_band() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (5, 32), (6, 64), (7, 128)]:
        delays = [next_delay(attempt, None, rng) for _ in range(200)]
        assert min(delays) >= ceiling / 2
        assert max(delays) <= ceiling
        assert max(delays) - min(delays) > ceiling / 4  # jittered, not a fixed step


def test_every_delay_is_at_least_the_previous_attempts_ceiling() -> None:
    rng = random.Random(1)
    previous = 0.0
    for attempt in range(1, 12):
        delay = next_delay(attempt, None, rng)
        assert delay >= previous / 2
        previous = delay
    assert previous <= MAX_DELAY


def test_delay_is_capped_even_after_very_many_attempts() -> None:
    rng = random.Random(3)
    delays = [next_delay(attempt, None, rng) for attempt in (20, 100, 10_000)]
    assert all(MAX_DELAY / 2 <= d <= MAX_DELAY for d in delays)


def test_retry_after_is_never_undercut() -> None:
    rng = random.Random(5)
    assert next_delay(1, 30.0, rng) == 30.0
    assert next_delay(1, 3_600.0, rng) == 3_600.0  # beyond the cap: the receiver decides
    assert 1.0 <= next_delay(3, 0.5, rng) <= 8.0  # a shorter Retry-After keeps the backoff


def test_a_retry_before_any_attempt_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        next_delay(0, None, random.Random())


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("Wed, 01 May 2024 09:31:00 GMT", 60.0),
        ("Wed, 01 May 2024 09:00:00 GMT", 0.0),  # already past: go now
        ("Wednesday, 01-May-24 09:30:30 GMT", 30.0),  # obsolete RFC 850 form
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str, seconds: float) -> None:
    assert parse_retry_after(header, NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "nan", "inf", "Mon, 99 Foo 2024"])
def test_retry_after_that_cannot_be_read_is_ignored(header: str | None) -> None:
    assert parse_retry_after(header, NOW) is None


def test_a_trigger_older_than_thirty_minutes_is_given_up() -> None:
    requested = NOW - timedelta(minutes=29)
    assert not should_give_up(requested, NOW)
    assert should_give_up(requested, NOW + timedelta(minutes=2))


def test_acknowledge_and_resolve_keep_trying_longer_than_a_trigger() -> None:
    requested = NOW - timedelta(hours=2)
    assert should_give_up(requested, NOW, action="trigger")
    assert not should_give_up(requested, NOW, action="resolve")
    assert not should_give_up(requested, NOW, action="acknowledge")
    assert should_give_up(requested, NOW + timedelta(days=1), action="resolve")
    assert max_age_for("resolve") > max_age_for("trigger")


def test_an_explicit_max_age_wins() -> None:
    requested = NOW - timedelta(minutes=6)
    assert should_give_up(requested, NOW, timedelta(minutes=5))
    assert not should_give_up(requested, NOW, timedelta(minutes=10), "trigger")
