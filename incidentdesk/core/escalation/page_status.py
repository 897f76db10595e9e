"""What a page's state means for the commander, in words: the escalation row, the banner,
the timeline's one row per page and the command line all say the same thing.

A page either reached someone, is still trying, or did NOT go out. A failure retrying cannot
fix (no secret on this workstation, a receiver that refused the request, a malformed address)
ends the page at once: ``failed``, said plainly, with what fixes it. A transient failure
(timeout, 429, 5xx, connection refused) keeps retrying; after :data:`NOT_REACHED_AFTER` the
words stop sounding hopeful and say the page has not reached anyone yet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incidentdesk.core.escalation.model import APPLY, ChatPost, EscalationState, Page

if TYPE_CHECKING:
    from incidentdesk.core.journal.events import Event

NOT_REACHED_AFTER = timedelta(minutes=3)
"""How long a page may keep retrying before its row says it has reached nobody."""

# The outcome events of a page or a chat post: the timeline folds them into its one row.
PAGE_OUTCOME_KINDS: frozenset[str] = frozenset(
    {
        "escalation.sent",
        "escalation.failed",
        "escalation.acknowledged",
        "escalation.resolved",
        "chat.sent",
        "chat.failed",
    }
)
REQUEST_KINDS: frozenset[str] = frozenset({"escalation.requested", "chat.requested"})


def delivery_id(event: Event) -> str | None:
    """The page or chat post a request or outcome event belongs to (None for other kinds)."""
    if event.kind in REQUEST_KINDS or event.kind in PAGE_OUTCOME_KINDS:
        key = "post_id" if event.kind.startswith("chat.") else "escalation_id"
        return str(event.payload.get(key))
    return None


@dataclass(frozen=True)
class PageWords:
    """A page's state in words.

    Attributes:
        state: ``sending``, ``retrying``, ``not_reached`` (retrying for long), ``sent``,
            ``acknowledged``, ``resolved`` or ``failed`` (did NOT go out).
        text: one line for the row (with the live countdown when ``now`` was given).
        tone: ``info``, ``warning``, ``ok``, ``muted`` or ``error``.
        reason: the latest failure reason (empty when none).
        fix: for a failed page, what fixes it: ``secret`` or ``catalog`` (else None).
        secret_name: the secret to set when ``fix`` is ``secret``.
    """

    state: str
    text: str
    tone: str
    reason: str = ""
    fix: str | None = None
    secret_name: str | None = None
    attempt: int | None = None  # while retrying: the number of the next attempt


def page_words(page: Page, now: datetime | None = None) -> PageWords:
    """The words for ``page``; with ``now``, the retry countdown and the "has not reached
    anyone yet" warning (the timeline, which does not tick, passes None)."""
    status = page.status
    reason = page.reason
    if status == "failed":
        fixable = next((t for t in page.targets.values() if t.fix), None)
        secret = fixable.secret_name if fixable else None
        return PageWords(
            "failed",
            f"NOT paged: {short_reason(reason, secret) or 'the page was not delivered.'}",
            "error",
            reason,
            fixable.fix if fixable else None,
            secret,
        )
    if status == "sent":
        return PageWords("sent", f"Sent (level {page.level}) — waiting for an answer", "info")
    if status == "acknowledged":
        return PageWords("acknowledged", f"Acknowledged by {page.acknowledged_by}", "ok")
    if status == "resolved":
        return PageWords("resolved", "Resolved", "muted")
    pending = [t for t in page.targets.values() if t.status == "pending"]
    tried = [t for t in pending if t.attempts]
    if not tried:
        return PageWords("sending", "Requested — sending…", "info")
    attempt = max(t.attempts for t in tried) + 1
    retry_at = min((t.retry_at for t in tried if t.retry_at is not None), default=None)
    when = ""
    if now is not None and retry_at is not None:
        left = math.ceil((retry_at - now).total_seconds())
        when = f", next in {_seconds(left)}" if left > 0 else ", trying now"
    if now is not None and now - page.requested_at >= NOT_REACHED_AFTER:
        return PageWords(
            "not_reached",
            f"Has not reached anyone yet — retrying (attempt {attempt}{when})",
            "warning",
            reason,
            attempt=attempt,
        )
    return PageWords(
        "retrying", f"Retrying — attempt {attempt}{when}", "info", reason, attempt=attempt
    )


def short_reason(reason: str, secret: str | None) -> str:
    """The reason without the command-line instructions when a button fixes it: a missing
    secret is "The secret 'x' is not set on this workstation." ("Set secret…" is next to it)."""
    if secret and reason.startswith(f"The secret '{secret}' is not set on this workstation"):
        return f"The secret '{secret}' is not set on this workstation."
    return reason


def _seconds(left: int) -> str:
    if left < 120:
        return f"{left} s"
    return f"{left // 60} min {left % 60:02d} s"


def attempt_lines(events: Iterable[Event]) -> list[str]:
    """One line per delivery attempt of a page (its sent/failed events), oldest first."""
    lines = []
    for event in events:
        p = event.payload
        if event.kind not in ("escalation.sent", "escalation.failed", "chat.sent", "chat.failed"):
            continue
        at = f"{event.occurred_at.astimezone():%H:%M:%S}"
        action = "" if p.get("action", "trigger") == "trigger" else f" ({p['action']})"
        if event.kind in ("escalation.sent", "chat.sent"):
            lines.append(f"{at} {p['target']}{action}: attempt {p['attempt']} delivered")
        else:
            then = "gave up" if p["final"] else "will retry"
            lines.append(
                f"{at} {p['target']}{action}: attempt {p['attempt']} failed ({then}): {p['reason']}"
            )
    return lines


def page_row(requested: Event, outcomes: Iterable[Event]) -> tuple[str, str]:
    """The timeline's one row for a page or chat post: its text (the request and where it
    stands) and its details (every attempt), from the request and its outcome events."""
    state = EscalationState()
    APPLY[requested.kind](state, requested)
    ordered = sorted(outcomes, key=lambda e: e.key)
    for event in ordered:
        APPLY[event.kind](state, event)
    lines = attempt_lines(sorted(ordered, key=lambda e: (e.occurred_at, e.key)))
    details = "Attempts:\n" + "\n".join(lines) if lines else "No delivery attempt yet."
    if requested.kind == "chat.requested":
        return _post_text(state.posts[requested.payload["post_id"]]), details
    page = state.pages[requested.payload["escalation_id"]]
    p = requested.payload
    names = ", ".join(t["name"] for t in p["targets"])
    words = page_words(page)
    where = {
        "sending": "requested, sending…",
        "retrying": f"retrying (attempt {words.attempt})",
        "sent": "delivered, waiting for an answer",
        "acknowledged": f"acknowledged by {page.acknowledged_by}",
        "resolved": "resolved",
    }
    text = f"Paging {p['team']} for {p['service']} (level {p['level']}: {names}) — "
    text += where.get(words.state, words.text)
    if words.state == "failed":
        said = short_reason(words.reason, words.secret_name) or "the page was not delivered."
        text = f"{p['service']} was NOT paged (level {p['level']}: {names}): {said}"
    return text, details


def _post_text(post: ChatPost) -> str:
    """Where a chat post stands, before its text (which may run over several lines)."""
    if post.status == "sent":
        return f"Posted to {post.target}: {post.text}"
    if post.status == "failed":
        return f"NOT posted to {post.target}: {post.text}"
    if post.attempts:
        return f"Posting to {post.target} (retrying, attempt {post.attempts + 1}): {post.text}"
    return f"Posting to {post.target}: {post.text}"
