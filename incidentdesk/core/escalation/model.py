"""Escalations: paging a service's developer owners, and posting to chat, as journal events.

A page is requested once (``escalation.requested``: service, owning team, policy level and
its targets, the level's acknowledgement timeout and a stable dedup key); each delivery
attempt to each target ends in ``escalation.sent`` or ``escalation.failed`` (``final`` says
whether it will be retried); someone answering is ``escalation.acknowledged``; closing it is
``escalation.resolved``. Chat posts (stakeholder updates, status changes sent to an
incident channel) are ``chat.requested`` → ``chat.sent`` / ``chat.failed``.

Status of a page, from its events:
``requested`` (nothing delivered yet) → ``sent`` (at least one target took it) →
``acknowledged`` → ``resolved``; ``failed`` when every target failed for good.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.text import clean_name, clean_note

if TYPE_CHECKING:
    from incidentdesk.core.journal.events import Event

Payload = dict[str, Any]

ADAPTERS: tuple[str, ...] = ("pagerduty", "opsgenie", "slack", "teams", "webhook")
PAGE_ADAPTERS: tuple[str, ...] = ("pagerduty", "opsgenie", "webhook", "slack", "teams")
CHAT_ADAPTERS: tuple[str, ...] = ("slack", "teams", "webhook")
# Adapters that keep an alert open on their side: acknowledging or resolving here tells them.
STATEFUL_ADAPTERS: tuple[str, ...] = ("pagerduty", "opsgenie", "webhook")
OPEN_STATUSES: tuple[str, ...] = ("requested", "sent")
MAX_REASON = 500
FIXES: tuple[str, ...] = ("secret", "catalog")  # what a person changes after a final failure
MAX_CHAT_TEXT = 8000


@dataclass
class TargetDelivery:
    """How the page went for one notification target."""

    name: str
    adapter: str
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    reason: str = ""
    at: datetime | None = None
    retry_at: datetime | None = None
    fix: str | None = None  # after a final failure: "secret" or "catalog" (what to change)
    secret_name: str | None = None  # the secret to set, when ``fix`` is "secret"


@dataclass
class Page:
    """One escalation: a policy level of one service's owners, paged."""

    id: str
    service: str
    team: str
    policy: str
    level: int
    levels: int
    ack_timeout_minutes: int
    dedup_key: str
    requested_at: datetime
    requested_by: str
    targets: dict[str, TargetDelivery] = field(default_factory=dict)
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None

    @property
    def status(self) -> str:
        """requested, sent, acknowledged, resolved or failed."""
        if self.resolved_at is not None:
            return "resolved"
        if self.acknowledged_at is not None:
            return "acknowledged"
        if self.sent_at is not None:
            return "sent"
        if self.targets and all(t.status == "failed" for t in self.targets.values()):
            return "failed"
        return "requested"

    @property
    def open(self) -> bool:
        """Waiting for an answer (requested or sent, not failed, answered or resolved)."""
        return self.status in OPEN_STATUSES

    @property
    def ack_deadline(self) -> datetime | None:
        """When the level's acknowledgement timeout runs out (counted from delivery)."""
        if self.sent_at is None:
            return None
        return self.sent_at + timedelta(minutes=self.ack_timeout_minutes)

    def overdue(self, now: datetime) -> bool:
        """Delivered, unanswered, and past the level's acknowledgement timeout."""
        deadline = self.ack_deadline
        return self.status == "sent" and deadline is not None and now >= deadline

    @property
    def reason(self) -> str:
        """The latest failure reason among the targets (empty when none failed)."""
        failed = [t for t in self.targets.values() if t.reason and t.status != "sent"]
        return failed[-1].reason if failed else ""


@dataclass
class ChatPost:
    """One message posted (or being posted) to a chat target."""

    id: str
    target: str
    adapter: str
    text: str
    purpose: str
    requested_at: datetime
    requested_by: str
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    reason: str = ""


@dataclass
class EscalationState:
    """Every page and chat post of one incident, by id, in the order they were requested."""

    pages: dict[str, Page] = field(default_factory=dict)
    posts: dict[str, ChatPost] = field(default_factory=dict)
    channel: str | None = None  # the chat target status changes are posted to

    def open_page(self, service: str, level: int) -> Page | None:
        """The page of that service and level still waiting for an answer, if any."""
        for page in self.pages.values():
            if page.service == service and page.level == level and page.open:
                return page
        return None

    def latest_for(self, service: str) -> Page | None:
        """The most recently requested page of a service."""
        found = [p for p in self.pages.values() if p.service == service]
        return found[-1] if found else None

    def open_pages(self) -> list[Page]:
        """Pages still waiting for an answer."""
        return [p for p in self.pages.values() if p.open]


# ----------------------------------------------------------------- payload validators


REQUIRED: dict[str, tuple[str, ...]] = {
    "escalation.requested": (
        "escalation_id",
        "service",
        "team",
        "policy",
        "level",
        "levels",
        "ack_timeout_minutes",
        "targets",
    ),
    "escalation.sent": ("escalation_id", "target", "attempt"),
    "escalation.failed": ("escalation_id", "target", "attempt", "reason"),
    "escalation.acknowledged": ("escalation_id", "by"),
    "escalation.resolved": ("escalation_id",),
    "chat.requested": ("post_id", "target", "adapter", "text"),
    "chat.sent": ("post_id", "target", "attempt"),
    "chat.failed": ("post_id", "target", "attempt"),
    "chat.channel_set": ("target",),
}


def _needs(kind: str) -> Callable[[Callable[[Mapping[str, Any]], Payload]], Any]:
    """Refuse a payload of ``kind`` that lacks a required field, naming it."""

    def wrap(validator: Callable[[Mapping[str, Any]], Payload]) -> Any:
        def check(p: Mapping[str, Any]) -> Payload:
            for name in REQUIRED[kind]:
                if name not in p:
                    raise DomainError(f"The event is missing '{name}'.")
            return validator(p)

        return check

    return wrap


def _id(p: Mapping[str, Any], name: str = "escalation_id") -> str:
    value = p.get(name)
    if not isinstance(value, str) or len(value) != 36:
        raise DomainError(f"The event names no valid {name.replace('_', ' ')}.")
    return value


def _int(p: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = p.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"'{name}' must be a whole number from {low} to {high}.")
    return value


def _text(p: Mapping[str, Any], name: str, limit: int) -> str:
    value = p.get(name, "")
    if not isinstance(value, str):
        raise DomainError(f"'{name}' must be text.")
    return value.replace("\x00", "").strip()[:limit].strip()  # the same when checked again


def _adapter(value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise DomainError(f"'{value}' is not a known notification adapter.")
    return value


def _targets(value: Any) -> list[Payload]:
    if not isinstance(value, list) or not value:
        raise DomainError("A page needs at least one notification target.")
    targets: list[Payload] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise DomainError("A notification target must be an object.")
        targets.append(
            {
                "name": clean_name(item.get("name", ""), "target name"),
                "adapter": _adapter(item.get("adapter"), ADAPTERS),
            }
        )
    return targets


def _requested(p: Mapping[str, Any]) -> Payload:
    levels = _int(p, "levels", 1, 20)
    return {
        "escalation_id": _id(p),
        "service": clean_name(p.get("service", ""), "service name"),
        "team": clean_name(p.get("team", ""), "team name"),
        "policy": clean_name(p.get("policy", ""), "policy name"),
        "level": _int(p, "level", 1, levels),
        "levels": levels,
        "ack_timeout_minutes": _int(p, "ack_timeout_minutes", 1, 1440),
        "dedup_key": _text(p, "dedup_key", 255) or _id(p),
        "targets": _targets(p.get("targets")),
    }


def _sent(p: Mapping[str, Any]) -> Payload:
    return {
        "escalation_id": _id(p),
        "target": clean_name(p.get("target", ""), "target name"),
        "action": _text(p, "action", 20) or "trigger",
        "attempt": _int(p, "attempt", 1, 10_000),
        "status_code": p.get("status_code") if isinstance(p.get("status_code"), int) else None,
    }


def _failed(p: Mapping[str, Any]) -> Payload:
    final = p.get("final", False)
    if not isinstance(final, bool):
        raise DomainError("'final' must be true or false.")
    retry_in = p.get("retry_in_seconds")
    return {
        "escalation_id": _id(p),
        "target": clean_name(p.get("target", ""), "target name"),
        "action": _text(p, "action", 20) or "trigger",
        "attempt": _int(p, "attempt", 0, 10_000),
        "reason": _text(p, "reason", MAX_REASON) or "The delivery failed.",
        "final": final,
        "retry_in_seconds": float(retry_in) if isinstance(retry_in, int | float) else None,
        "fix": p.get("fix") if p.get("fix") in FIXES else None,
        "secret": clean_name(p["secret"], "secret name") if p.get("secret") else None,
    }


def _acknowledged(p: Mapping[str, Any]) -> Payload:
    return {"escalation_id": _id(p), "by": clean_name(p.get("by", ""), "person's name")}


def _resolved(p: Mapping[str, Any]) -> Payload:
    return {"escalation_id": _id(p)}


def _chat_requested(p: Mapping[str, Any]) -> Payload:
    text = clean_note(p.get("text", ""))
    if len(text) > MAX_CHAT_TEXT:
        raise DomainError(f"A chat message is limited to {MAX_CHAT_TEXT} characters.")
    return {
        "post_id": _id(p, "post_id"),
        "target": clean_name(p.get("target", ""), "target name"),
        "adapter": _adapter(p.get("adapter"), CHAT_ADAPTERS),
        "text": text,
        "purpose": _text(p, "purpose", 40) or "update",
    }


def _chat_outcome(p: Mapping[str, Any]) -> Payload:
    final = p.get("final", True)
    if not isinstance(final, bool):
        raise DomainError("'final' must be true or false.")
    return {
        "post_id": _id(p, "post_id"),
        "target": clean_name(p.get("target", ""), "target name"),
        "attempt": _int(p, "attempt", 0, 10_000),
        "reason": _text(p, "reason", MAX_REASON),
        "final": final,
    }


def _channel(p: Mapping[str, Any]) -> Payload:
    target = p.get("target")
    return {"target": None if target is None else clean_name(target, "target name")}


_VALIDATORS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    "escalation.requested": _requested,
    "escalation.sent": _sent,
    "escalation.failed": _failed,
    "escalation.acknowledged": _acknowledged,
    "escalation.resolved": _resolved,
    "chat.requested": _chat_requested,
    "chat.sent": _chat_outcome,
    "chat.failed": _chat_outcome,
    "chat.channel_set": _channel,
}
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    kind: _needs(kind)(validator) for kind, validator in _VALIDATORS.items()
}


# ----------------------------------------------------------------- fold


def _apply_requested(state: EscalationState, event: Event) -> None:
    p = event.payload
    if p["escalation_id"] in state.pages:
        return
    page = Page(
        id=p["escalation_id"],
        service=p["service"],
        team=p["team"],
        policy=p["policy"],
        level=p["level"],
        levels=p["levels"],
        ack_timeout_minutes=p["ack_timeout_minutes"],
        dedup_key=p["dedup_key"],
        requested_at=event.occurred_at,
        requested_by=event.author,
    )
    for target in p["targets"]:
        page.targets[target["name"]] = TargetDelivery(target["name"], target["adapter"])
    state.pages[page.id] = page


def _delivery(state: EscalationState, event: Event) -> TargetDelivery | None:
    page = state.pages.get(event.payload["escalation_id"])
    if page is None:
        return None
    name = event.payload["target"]
    return page.targets.setdefault(name, TargetDelivery(name, "webhook"))


def _apply_sent(state: EscalationState, event: Event) -> None:
    delivery = _delivery(state, event)
    if delivery is None or event.payload.get("action", "trigger") != "trigger":
        return
    delivery.status = "sent"
    delivery.attempts = max(delivery.attempts, event.payload["attempt"])
    delivery.at = event.occurred_at
    delivery.reason = ""
    delivery.retry_at = None
    page = state.pages[event.payload["escalation_id"]]
    if page.sent_at is None or event.occurred_at < page.sent_at:
        page.sent_at = event.occurred_at


def _apply_failed(state: EscalationState, event: Event) -> None:
    delivery = _delivery(state, event)
    if delivery is None or event.payload.get("action", "trigger") != "trigger":
        return
    if delivery.status == "sent":
        return  # a late report of an earlier attempt does not undo a delivery
    p = event.payload
    delivery.attempts = max(delivery.attempts, p["attempt"])
    delivery.reason = p["reason"]
    delivery.at = event.occurred_at
    if p["final"]:
        delivery.status = "failed"
        delivery.retry_at = None
        delivery.fix = p.get("fix")
        delivery.secret_name = p.get("secret")
    else:
        retry = p.get("retry_in_seconds")
        delivery.retry_at = (
            event.occurred_at + timedelta(seconds=retry) if retry is not None else None
        )


def _apply_acknowledged(state: EscalationState, event: Event) -> None:
    page = state.pages.get(event.payload["escalation_id"])
    if page is None or page.acknowledged_at is not None:
        return
    page.acknowledged_at = event.occurred_at
    page.acknowledged_by = event.payload["by"]


def _apply_resolved(state: EscalationState, event: Event) -> None:
    page = state.pages.get(event.payload["escalation_id"])
    if page is not None and page.resolved_at is None:
        page.resolved_at = event.occurred_at


def _apply_chat_requested(state: EscalationState, event: Event) -> None:
    p = event.payload
    state.posts.setdefault(
        p["post_id"],
        ChatPost(
            p["post_id"],
            p["target"],
            p["adapter"],
            p["text"],
            p["purpose"],
            event.occurred_at,
            event.author,
        ),
    )


def _apply_chat_outcome(state: EscalationState, event: Event) -> None:
    post = state.posts.get(event.payload["post_id"])
    if post is None or post.status == "sent":
        return
    post.attempts = max(post.attempts, event.payload["attempt"])
    if event.kind == "chat.sent":
        post.status, post.reason = "sent", ""
    else:
        post.reason = event.payload["reason"]
        if event.payload["final"]:
            post.status = "failed"


def _apply_channel(state: EscalationState, event: Event) -> None:
    state.channel = event.payload["target"]


APPLY: dict[str, Callable[[EscalationState, Event], None]] = {
    "escalation.requested": _apply_requested,
    "escalation.sent": _apply_sent,
    "escalation.failed": _apply_failed,
    "escalation.acknowledged": _apply_acknowledged,
    "escalation.resolved": _apply_resolved,
    "chat.requested": _apply_chat_requested,
    "chat.sent": _apply_chat_outcome,
    "chat.failed": _apply_chat_outcome,
    "chat.channel_set": _apply_channel,
}


def describe(event: Event) -> str | None:
    """The timeline's words for an escalation or chat event (None for other kinds)."""
    p = event.payload
    kind = event.kind
    if kind == "escalation.requested":
        names = ", ".join(t["name"] for t in p["targets"])
        return f"Paging {p['team']} for {p['service']} (level {p['level']}: {names})"
    if kind == "escalation.sent":
        verb = {"trigger": "Page delivered", "acknowledge": "Acknowledgement sent"}.get(
            p["action"], "Resolution sent"
        )
        return f"{verb} to {p['target']} (attempt {p['attempt']})"
    if kind == "escalation.failed":
        then = "gave up" if p["final"] else "will retry"
        return f"Page to {p['target']} failed (attempt {p['attempt']}, {then}): {p['reason']}"
    if kind == "escalation.acknowledged":
        return f"Page acknowledged by {p['by']}"
    if kind == "escalation.resolved":
        return "Page resolved"
    if kind == "chat.requested":
        return f"Posting to {p['target']}: {p['text']}"
    if kind == "chat.channel_set":
        target = p["target"]
        if target is None:
            return "Status changes are no longer posted to chat"
        return f"Status changes will be posted to {target}"
    if kind == "chat.sent":
        return f"Posted to {p['target']} (attempt {p['attempt']})"
    if kind == "chat.failed":
        then = "gave up" if p["final"] else "will retry"
        return f"Post to {p['target']} failed (attempt {p['attempt']}, {then}): {p['reason']}"
    return None
