"""What a page says, where it goes and how an attempt ended: the values every adapter shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from incidentdesk.core.errors import DomainError

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITY_CODES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
HEADLINE_PREFIX = {"trigger": "", "acknowledge": "Acknowledged: ", "resolve": "Resolved: "}

Link = tuple[str, str]
"""A link shown with a page: (href, text)."""

Fact = tuple[str, str]
"""One line of a chat card: (title, value)."""


@dataclass(frozen=True)
class PageMessage:
    """One thing to tell the people on call about an incident's escalation.

    ``dedup_key`` is the same for every attempt and every action of one escalation, so a
    receiver opens one alert and later acknowledges or resolves that same alert. ``text`` and
    ``facts`` are what chat adapters (Slack, Teams) show; ``text`` defaults to the summary.
    """

    action: str
    dedup_key: str
    summary: str
    severity: str
    source: str
    component: str
    group: str
    incident_id: str
    timestamp: datetime
    incident_url: str | None = None
    commander: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    text: str = ""
    facts: tuple[Fact, ...] = ()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise DomainError(
                f"A page's action must be one of {', '.join(ACTIONS)}, not {self.action!r}."
            )
        if self.severity not in SEVERITY_CODES:
            raise DomainError(f"A page's severity must be SEV1 to SEV5, not {self.severity!r}.")
        if not self.dedup_key.strip():
            raise DomainError("A page needs a dedup key, so retries never open a second alert.")
        if len(self.dedup_key) > 255:
            raise DomainError(
                f"A page's dedup key has {len(self.dedup_key)} characters; the limit is 255."
            )
        if self.timestamp.tzinfo is None:
            raise DomainError("A page's timestamp must carry a time zone (UTC).")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(UTC))
        object.__setattr__(self, "links", tuple((str(h), str(t)) for h, t in self.links))
        object.__setattr__(self, "facts", tuple((str(k), str(v)) for k, v in self.facts))
        object.__setattr__(self, "details", {str(k): str(v) for k, v in self.details.items()})

    @property
    def chat_text(self) -> str:
        """What a chat message says: ``text`` when given, else the summary."""
        return self.text or self.summary

    @property
    def headline(self) -> str:
        """The summary, prefixed "Acknowledged: " or "Resolved: " for those actions."""
        return HEADLINE_PREFIX[self.action] + self.summary

    @property
    def chat_facts(self) -> tuple[Fact, ...]:
        """The facts a chat card shows: ``facts``, or severity, service, team and commander."""
        if self.facts:
            return self.facts
        defaults = (
            ("Severity", self.severity),
            ("Service", self.component),
            ("Team", self.group),
            ("Commander", self.commander or ""),
        )
        return tuple((title, value) for title, value in defaults if value)

    @property
    def level(self) -> int:
        """The severity as a number: 1 (SEV1, worst) to 5."""
        return int(self.severity[3:])

    @property
    def iso_timestamp(self) -> str:
        """The timestamp as ISO 8601 in UTC with a ``Z``: ``2024-05-01T09:30:00.000Z``."""
        return self.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Target:
    """Where a page goes: a name from the catalog, an adapter and its options.

    Options by adapter: Opsgenie ``responders`` (a list of ``{"type": "team", "name": …}``
    objects, or ``"team:NAME"`` / ``"user:EMAIL"`` strings) and ``region`` (``"us"`` or
    ``"eu"``); webhook ``url`` (not secret). Slack and Teams need none: their secret is the
    webhook URL.
    """

    name: str
    adapter: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of one delivery attempt.

    ``final`` means another attempt would not help (the receiver refused the request, or the
    target is misconfigured); a failure that is not final is worth retrying, no sooner than
    ``retry_after`` seconds when the receiver said so. ``reason`` is one sentence a person
    can act on, and never contains the secret.
    """

    delivered: bool
    final: bool
    status: int | None
    reason: str
    retry_after: float | None = None
    remote_id: str | None = None
    fix: str | None = None
    """For a final failure, what a person can change: ``secret`` (set the target's secret
    again) or ``catalog`` (the target's address or options); None when neither helps."""

    @property
    def retryable(self) -> bool:
        """Not delivered, and another attempt may succeed."""
        return not self.delivered and not self.final


def delivered(status: int, reason: str, remote_id: str | None = None) -> Outcome:
    """A delivery the receiver accepted."""
    return Outcome(True, True, status, reason, None, remote_id)


def refused(status: int | None, reason: str, fix: str | None = None) -> Outcome:
    """A failure another attempt would not fix (``fix``: what a person can change)."""
    return Outcome(False, True, status, reason, fix=fix)


def retry(status: int | None, reason: str, retry_after: float | None = None) -> Outcome:
    """A failure worth another attempt."""
    return Outcome(False, False, status, reason, retry_after)
