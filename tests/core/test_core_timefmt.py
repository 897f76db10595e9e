"""Times typed by people, stored as UTC, printed as ISO 8601."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.timefmt import (
    format_duration,
    format_utc,
    from_micros,
    parse_when,
    to_micros,
    utc_now,
)

NOW = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-26T14:05:00+01:00", utc(2026, 11, 26, 13, 5)),
        ("2026-11-26T14:05:00-05:00", utc(2026, 11, 26, 19, 5)),
        ("2026-11-26T14:05:00+05:30", utc(2026, 11, 26, 8, 35)),
        ("2026-11-26 14:05Z", utc(2026, 11, 26, 14, 5)),
        ("2026-11-26T14:05:07.250Z", utc(2026, 11, 26, 14, 5, 7, 250_000)),
        ("2026-11-26T14:05:00+00:00", utc(2026, 11, 26, 14, 5)),
        ("  2026-11-26T14:05Z  ", utc(2026, 11, 26, 14, 5)),
    ],
)
def test_times_with_an_offset_mean_exactly_that_instant(typed: str, expected: datetime) -> None:
    result = parse_when(typed, now=NOW)
    assert result == expected
    assert result.tzinfo is UTC
    assert format_utc(result) == format_utc(expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-26T14:05", utc(2026, 11, 26, 13, 5)),  # CET, +01:00
        ("2026-07-01T14:05:00", utc(2026, 7, 1, 12, 5)),  # CEST, +02:00
    ],
)
def test_a_time_without_offset_is_local_time(typed: str, expected: datetime) -> None:
    result = parse_when(typed, now=NOW, local_tz=BERLIN)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.fixture
def system_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("system_tz")
def test_without_a_zone_given_the_workstations_zone_is_used() -> None:
    assert parse_when("2026-11-26T14:05", now=NOW) == utc(2026, 11, 26, 8, 35)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-02-30T10:00", "day is out of range for month"),
        ("2026-13-01T10:00", "month must be in 1..12"),
        ("2026-11-26T25:00", "hour must be in 0..23"),
    ],
)
def test_impossible_dates_are_refused_quoting_the_value(typed: str, reason: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_when(typed, now=NOW)
    message = str(err.value)
    assert f"'{typed}' is not a valid date and time" in message
    assert reason in message
    assert "ISO 8601" in message


@pytest.mark.parametrize(
    "typed", ["yesterday", "", "14:05", "26/11/2026 14:05", "2026-11-26T14:05+99:00", "now"]
)
def test_garbage_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(DomainError, match=r"is not a valid date and time.*2026-11-26T14:05:00"):
        parse_when(typed, now=NOW)


@pytest.mark.parametrize(
    "typed", ["0001-01-01T00:00+01:00", "0001-01-01T00:30", "9999-12-31T23:59-01:00"]
)
def test_dates_at_the_edge_of_the_calendar_are_refused_not_crashed(typed: str) -> None:
    with pytest.raises(DomainError, match=re.escape(f"'{typed}' is not a valid date and time")):
        parse_when(typed, now=NOW, local_tz=BERLIN)


def test_more_than_a_minute_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError, match=r"2026-11-27T00:02:00\+00:00 is in the future"):
        parse_when("2026-11-27T00:02:00Z", now=NOW)
    with pytest.raises(DomainError, match="in the future"):
        parse_when("2026-11-27T01:05:00+01:00", now=NOW)  # 00:05Z, written in +01:00
    # a slightly fast workstation clock (under a minute) is tolerated
    assert parse_when("2026-11-27T00:00:59Z", now=NOW) == NOW + timedelta(seconds=59)
    assert parse_when("2026-11-27T00:01:00Z", now=NOW) == NOW + timedelta(minutes=1)


@given(
    moment=st.datetimes(
        min_value=datetime(1980, 1, 1), max_value=datetime(2026, 11, 26), timezones=st.just(UTC)
    ),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_any_past_instant_written_with_any_offset_parses_back(
    moment: datetime, offset_minutes: int
) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    typed = moment.astimezone(zone).isoformat()
    assert parse_when(typed, now=NOW) == moment


@given(st.text(max_size=40))
def test_any_typed_text_is_a_utc_time_or_a_domain_error(typed: str) -> None:
    try:
        result = parse_when(typed, now=NOW, local_tz=BERLIN)
    except DomainError:
        return
    assert result.tzinfo is UTC and result <= NOW + timedelta(minutes=1)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_micros_round_trip(moment: datetime) -> None:
    micros = to_micros(moment)
    assert from_micros(micros) == moment
    assert from_micros(micros).tzinfo is UTC
    assert to_micros(from_micros(micros)) == micros


def test_micros_known_values_including_before_1970() -> None:
    assert to_micros(utc(1970, 1, 1)) == 0
    assert to_micros(utc(1970, 1, 1, 0, 0, 1)) == 1_000_000
    assert to_micros(utc(1969, 12, 31, 23, 59, 59, 999_999)) == -1
    assert to_micros(datetime(1970, 1, 1, 1, 0, tzinfo=BERLIN)) == 0  # same instant
    assert from_micros(1_795_000_000_000_000) == utc(2026, 11, 18, 11, 6, 40)


def test_format_utc_is_iso_8601_with_an_explicit_offset() -> None:
    assert format_utc(datetime(2026, 11, 26, 14, 5, tzinfo=BERLIN)) == "2026-11-26T13:05:00+00:00"
    assert format_utc(utc(2026, 11, 26, 13, 5, 0, 120)) == "2026-11-26T13:05:00.000120+00:00"
    assert format_utc(utc_now()).endswith("+00:00")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=45), "45s"),
        (timedelta(minutes=3, seconds=7), "3m 07s"),
        (timedelta(hours=2, minutes=5), "2h 05m"),
        (timedelta(days=1, hours=2, minutes=59), "1d 02h"),
        (timedelta(seconds=-30), "0s"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0001-01-01T00:00:01Z", "0001-01-01T00:00:01+00:00 is before 1970"),
        ("1969-12-31T23:59:59Z", "is before 1970"),
        ("2200-01-01T00:00:00Z", "is in the future"),
        ("9999-12-31T23:59:59Z", "is in the future"),
        ("2026-11-28T00:00:00Z", "is in the future"),
    ],
)
def test_an_event_time_outside_1970_to_now_is_refused_in_one_sentence(
    typed: str, says: str
) -> None:
    with pytest.raises(DomainError) as caught:
        parse_when(typed, now=NOW)
    assert says in str(caught.value)
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_the_epoch_itself_and_a_minute_of_drift_are_accepted() -> None:
    assert parse_when("1970-01-01T00:00:00Z", now=NOW) == utc(1970, 1, 1)
    assert parse_when("2026-11-27T00:00:30Z", now=NOW) == utc(2026, 11, 27, 0, 0, 30)


def test_a_period_bound_may_be_before_1970() -> None:
    assert parse_when("1960-01-01T00:00Z", now=NOW, event=False) == utc(1960, 1, 1)
