"""Times: parsing what people type, storing UTC, printing ISO 8601.

The rule: a time with an offset (``+02:00`` or ``Z``) means exactly that instant; a time
without one is read as the workstation's local time. Everything is stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from incidentdesk.core.errors import DomainError

# Clocks drift; a minute of slack keeps a slightly fast workstation from being refused.
FUTURE_SLACK = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The earliest time an event may name: nothing an incident tool records happened before
# 1970, and times before the epoch break the journal's clock and the metrics' arithmetic.
EARLIEST = _EPOCH


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def check_event_time(moment: datetime, *, now: datetime) -> datetime:
    """``moment`` if an event may say it happened then: from 1970 on and not in the future
    (a minute of clock drift allowed).

    Raises:
        DomainError: a sentence saying what is wrong with the time.
    """
    if moment.tzinfo is None:
        raise DomainError("A time without a timezone cannot be recorded; give it an offset.")
    if moment < EARLIEST:
        raise DomainError(
            f"{format_utc(moment)} is before 1970; an incident's events are recorded from "
            "1970-01-01 on."
        )
    if moment > now + FUTURE_SLACK:
        raise DomainError(f"{format_utc(moment)} is in the future; an event cannot happen later.")
    return moment


def parse_when(
    text: str, *, now: datetime, local_tz: tzinfo | None = None, event: bool = True
) -> datetime:
    """Parse an ISO 8601 date-time typed by a person into an aware UTC datetime.

    Args:
        text: for example ``2026-11-26T14:05:00+01:00``, ``2026-11-26 14:05Z`` or
            ``2026-11-26T14:05`` (no offset: local time).
        now: the current time, used to refuse times in the future.
        local_tz: the zone for times without an offset; the system's when omitted.
        event: the time of an event (the default): refused before 1970 (see
            :func:`check_event_time`); False for a period bound.

    Raises:
        DomainError: not a date-time, an impossible date, a time in the future, or an
            event time before 1970.
    """
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        detail = str(exc) if "out of range" in str(exc) or "must be in" in str(exc) else ""
        hint = f" ({detail})" if detail else ""
        raise DomainError(
            f"'{raw}' is not a valid date and time{hint}; use ISO 8601, "
            "for example 2026-11-26T14:05:00+01:00."
        ) from None
    try:
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=local_tz) if local_tz else parsed.astimezone()
        moment = parsed.astimezone(UTC)
    except (OverflowError, OSError):  # year 1 or 9999 shifted past the calendar's edge
        raise DomainError(
            f"'{raw}' is not a valid date and time (out of range); use ISO 8601, "
            "for example 2026-11-26T14:05:00+01:00."
        ) from None
    if event:
        return check_event_time(moment, now=now)
    if moment > now + FUTURE_SLACK:
        raise DomainError(f"{format_utc(moment)} is in the future; an event cannot happen later.")
    return moment


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch for an aware datetime."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime for microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with an explicit offset, to the second (or finer when it has it)."""
    utc = moment.astimezone(UTC)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.isoformat(timespec=spec)


def format_duration(delta: timedelta) -> str:
    """A short human duration such as ``2h 05m`` or ``45s``."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
