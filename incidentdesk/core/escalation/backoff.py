"""When to try a delivery again, and when to stop trying.

Delays grow exponentially with jitter ("equal jitter": half the step is fixed, half is random),
so a retry never comes back at once and many queued pages do not come back together. A
receiver's ``Retry-After`` is always honoured: the next attempt is never sooner. A trigger that
could not be delivered within its maximum age is dropped, so nobody is woken for an incident
that is long over; acknowledge and resolve messages only tidy up and keep a longer age.
"""

from __future__ import annotations

import email.utils
import math
import random
from datetime import UTC, datetime, timedelta

BASE_DELAY = 2.0
"""Seconds: the ceiling of the first retry's delay."""

MAX_DELAY = 300.0
"""Seconds: no computed delay is longer (a receiver's ``Retry-After`` may be)."""

TRIGGER_MAX_AGE = timedelta(minutes=30)
"""A trigger older than this is not retried: the incident has probably moved on."""

FOLLOW_UP_MAX_AGE = timedelta(hours=24)
"""Acknowledge and resolve messages close alerts, so they are worth sending much later."""


def next_delay(
    attempt: int,
    retry_after: float | None,
    rng: random.Random,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
) -> float:
    """Seconds to wait before the next attempt, after ``attempt`` attempts failed.

    The ceiling doubles with each attempt (``base``, ``2·base``, ``4·base``, … up to ``cap``)
    and the delay is drawn from the upper half of it: always at least half the ceiling, never
    more than the ceiling. When the receiver asked for ``retry_after`` seconds, the delay is
    never shorter than that, even beyond ``cap``.

    Raises:
        ValueError: ``attempt`` is below 1 (there is nothing to retry before a first attempt).
    """
    if attempt < 1:
        raise ValueError(f"attempt counts the failed attempts and starts at 1, not {attempt}")
    # 2 ** 60 already passes any sensible cap; clamping the exponent avoids float overflow.
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 60))
    delay = ceiling / 2 + rng.uniform(0.0, ceiling / 2)
    if retry_after is not None and math.isfinite(retry_after):
        delay = max(delay, retry_after)
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by an HTTP ``Retry-After`` header, or None when absent or unreadable.

    The header holds either a number of seconds (``120``) or an HTTP date
    (``Wed, 21 Oct 2015 07:28:00 GMT``), which is read relative to ``now`` (timezone-aware).
    A date in the past means "now": 0 seconds.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in the header: the time is UTC with no zone stated
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def max_age_for(action: str) -> timedelta:
    """How long a message of this action stays worth sending: triggers are short-lived."""
    return TRIGGER_MAX_AGE if action == "trigger" else FOLLOW_UP_MAX_AGE


def should_give_up(
    requested_at: datetime,
    now: datetime,
    max_age: timedelta | None = None,
    action: str = "trigger",
) -> bool:
    """Whether a delivery requested at ``requested_at`` is too old to be tried again.

    ``max_age`` defaults to :func:`max_age_for` the action: 30 minutes for a trigger, a day for
    an acknowledge or resolve. Both datetimes must be timezone-aware.
    """
    limit = max_age if max_age is not None else max_age_for(action)
    return now - requested_at > limit
