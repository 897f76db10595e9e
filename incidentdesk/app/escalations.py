"""The Desk's escalation commands: page a service's owners, acknowledge, resolve, post to chat.

Asking for a page writes ``escalation.requested`` and queues one delivery per target in the
same transaction; the courier (``incidentdesk.runtime.courier``, its own thread) sends them and
records each outcome with :meth:`EscalationCommands.record_attempt`. Nothing here speaks
HTTP or reads a secret.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from incidentdesk.app.parts import DeskParts
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.escalation.backoff import max_age_for, next_delay, should_give_up
from incidentdesk.core.escalation.model import (
    CHAT_ADAPTERS,
    STATEFUL_ADAPTERS,
    ChatPost,
    Page,
)
from incidentdesk.core.escalation.page_message import chat_message, page_message
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import from_micros, to_micros
from incidentdesk.infra.store.deliveries import Delivery

if TYPE_CHECKING:
    from incidentdesk.core.catalog.model import Catalog
    from incidentdesk.core.journal.events import Event
    from incidentdesk.infra.store.local import StoreTxn

LEASE = timedelta(seconds=60)  # longer than any attempt (requests time out after seconds)


@dataclass(frozen=True)
class EscalationOption:
    """What the escalation panel offers for one service of the incident."""

    service: str
    team: str | None
    policy: str | None
    levels: int
    next_level: int  # the level a click on "Page" would page
    page: Page | None  # the latest page of this service, if any
    problem: str | None  # why it cannot be paged (not in the catalog, no policy)


@dataclass(frozen=True)
class AttemptOutcome:
    """What one delivery attempt came to (what the courier reports back)."""

    delivered: bool
    final: bool
    reason: str = ""
    status_code: int | None = None
    retry_after: float | None = None
    fix: str | None = None  # a final failure a person can fix: "secret" or "catalog"


class EscalationCommands(DeskParts):
    """Escalation commands; mixed into :class:`incidentdesk.app.desk.Desk`."""

    # ----------------------------------------------------------------- queries

    def escalations(self, incident_ref: str) -> list[Page]:
        """The incident's pages, in the order they were requested."""
        return list(self.incident(incident_ref).escalation.pages.values())

    def chat_posts(self, incident_ref: str) -> list[ChatPost]:
        """The incident's chat posts, in the order they were requested."""
        return list(self.incident(incident_ref).escalation.posts.values())

    def escalation_options(self, incident_ref: str) -> list[EscalationOption]:
        """For each affected service: its owners, policy and the level a click would page."""
        state = self.incident(incident_ref)
        catalog = self.catalog()
        services = list(state.services)
        for page in state.escalation.pages.values():  # pages of services added by hand
            if page.service not in services:
                services.append(page.service)
        return [_option(catalog, state, name) for name in services]

    def chat_targets(self) -> list[str]:
        """Names of the catalog's chat targets (Slack, Teams, webhooks) to post updates to."""
        catalog = self.catalog()
        if catalog is None:
            return []
        return [t.name for t in catalog.chat_targets()]

    def pending_deliveries(self) -> list[Delivery]:
        """Everything this workstation still has to send."""
        with self.store.reading() as tx:
            return tx.pending_deliveries()

    def due_deliveries(self, limit: int = 20) -> list[Delivery]:
        """Deliveries whose next attempt is due now."""
        with self.store.reading() as tx:
            return tx.due_deliveries(to_micros(self.clock()), limit)

    def claim_due(self, limit: int = 20, ref_id: str | None = None) -> list[Delivery]:
        """Take the deliveries due now for one attempt each (see ``StoreTxn.claim_due``):
        nobody else sends them for :data:`LEASE` unless their outcome is recorded first."""
        now = to_micros(self.clock())
        with self.store.writing() as tx:
            return tx.claim_due(now, int(LEASE.total_seconds() * 1_000_000), limit, ref_id)

    def delivery_unwanted(self, delivery: Delivery) -> str | None:
        """Why a queued trigger should no longer go out (None: send it): its page was
        answered or resolved — here or on another workstation — or the incident is over."""
        if delivery.purpose != "page" or delivery.action != "trigger":
            return None
        state = self.incident(delivery.incident_id)
        page = state.escalation.pages.get(delivery.ref_id)
        if page is not None and page.resolved_at is not None:
            return "Not sent: the page was resolved before it went out."
        if page is not None and page.acknowledged_at is not None:
            return f"Not sent: {page.acknowledged_by} answered before it went out."
        if not state.active:
            return f"Not sent: the incident is {state.status}."
        return None

    def next_delivery_at(self) -> datetime | None:
        """When the next pending delivery is due (None when nothing waits)."""
        with self.store.reading() as tx:
            value = tx.next_delivery_at()
        return None if value is None else from_micros(value)

    # ----------------------------------------------------------------- commands

    def escalate(self, incident_ref: str, service: str, level: int | None = None) -> str:
        """Page the owners of ``service`` at a policy level; returns the escalation id.

        Refused when that service and level already has a page waiting for an answer (a
        double click never pages twice), when the incident is no longer active, or when
        the catalog does not know how to reach the service's owners.
        """
        catalog = self.catalog()
        if catalog is None:
            raise DomainError(
                "There is no service catalog yet; import one with "
                "'incidentdesk catalog import FILE' to know whom to page."
            )
        svc = catalog.service(service)  # NotFound names the service
        policy = catalog.policy_for_service(svc.name)  # NotFound says why there is none
        total = _total_levels(policy)
        escalation_id = new_event_id()
        now = self.clock()

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            if not state.active:
                raise DomainError(f"The incident is {state.status}; nobody is paged for it.")
            wanted = level if level is not None else _default_level(state, svc.name)
            if not 1 <= wanted <= total:
                raise DomainError(
                    f"Policy '{policy.name}' has levels 1 to {total}; there is no level {wanted}."
                )
            waiting = state.escalation.open_page(svc.name, wanted)
            if waiting is not None:
                ago = max(0, int((now - waiting.requested_at).total_seconds() // 60))
                raise DomainError(
                    f"{svc.name} level {wanted} was paged {ago} min ago and is waiting for an "
                    "answer; mark it acknowledged or escalate to the next level."
                )
            targets = [catalog.target(n) for n in _level(policy, wanted).targets]
            if not targets:
                raise DomainError(
                    f"Level {wanted} of policy '{policy.name}' names no notification target."
                )
            key = dedup_key(state, svc.name, wanted)
            payload.update(
                level=wanted,
                ack_timeout_minutes=_level(policy, wanted).ack_timeout_minutes,
                targets=[{"name": t.name, "adapter": t.adapter} for t in targets],
                dedup_key=key,
            )
            message = page_message(state, svc, "trigger", key)
            queued.extend(
                _delivery(state.id, escalation_id, "page", "trigger", t, message, now)
                for t in targets
            )

        queued: list[Delivery] = []
        payload: dict[str, Any] = {
            "escalation_id": escalation_id,
            "service": svc.name,
            "team": svc.team,
            "policy": policy.name,
            "level": 1,
            "levels": total,
            "ack_timeout_minutes": 1,
            "dedup_key": f"incidentdesk-{escalation_id}",
            "targets": [],
        }
        self._record(
            incident_ref, "escalation.requested", payload, None, check=check, then=_queue(queued)
        )
        return escalation_id

    def acknowledge(self, incident_ref: str, escalation_ref: str, by: str | None = None) -> str:
        """Record who answered a page; tells PagerDuty/Opsgenie/webhooks it is acknowledged."""
        now = self.clock()
        queued: list[Delivery] = []
        found: list[str] = []

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            page = _find_page(state, escalation_ref)
            found.append(page.id)
            if page.acknowledged_at is not None:
                raise DomainError(f"That page was already acknowledged by {page.acknowledged_by}.")
            if page.resolved_at is not None:
                raise DomainError("That page is resolved already.")
            payload["escalation_id"] = page.id
            queued.extend(_follow_ups(state, page, "acknowledge", self.catalog(), now))

        def then(tx: StoreTxn, event: Event) -> None:
            tx.cancel_deliveries(found[0], "trigger")  # someone answered: stop retrying
            _queue(queued)(tx, event)

        payload: dict[str, Any] = {"escalation_id": "?" * 36, "by": by or self.author}
        self._record(incident_ref, "escalation.acknowledged", payload, None, check, then=then)
        return found[0]

    def resolve_pages(self, incident_ref: str) -> list[str]:
        """Resolve every page not resolved yet (offered when the incident is resolved)."""
        state = self.incident(incident_ref)
        done: list[str] = []
        for page in list(state.escalation.pages.values()):
            if page.resolved_at is None and page.status != "failed":
                done.append(self.resolve_page(incident_ref, page.id))
        return done

    def resolve_page(self, incident_ref: str, escalation_ref: str) -> str:
        """Close one page here and on the paging service."""
        now = self.clock()
        queued: list[Delivery] = []
        found: list[str] = []

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            page = _find_page(state, escalation_ref)
            found.append(page.id)
            if page.resolved_at is not None:
                raise DomainError("That page is resolved already.")
            payload["escalation_id"] = page.id
            queued.extend(_follow_ups(state, page, "resolve", self.catalog(), now))

        def then(tx: StoreTxn, event: Event) -> None:
            tx.cancel_deliveries(found[0], "trigger")
            _queue(queued)(tx, event)

        payload: dict[str, Any] = {"escalation_id": "?" * 36}
        self._record(incident_ref, "escalation.resolved", payload, None, check, then=then)
        return found[0]

    def post_to_chat(
        self, incident_ref: str, target_name: str, text: str, purpose: str = "update"
    ) -> str:
        """Send a message (a stakeholder update, a status change) to a chat target."""
        catalog = self.catalog()
        if catalog is None:
            raise NotFound("There is no service catalog yet, so no chat target to post to.")
        target = catalog.target(target_name)
        if target.adapter not in CHAT_ADAPTERS:
            raise DomainError(f"'{target.name}' is a {target.adapter} target, not a chat channel.")
        post_id = new_event_id()
        now = self.clock()
        queued: list[Delivery] = []

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            message = chat_message(state, payload["text"], f"incidentdesk-{post_id}")
            queued.append(_delivery(state.id, post_id, "chat", "post", target, message, now))

        payload = {
            "post_id": post_id,
            "target": target.name,
            "adapter": target.adapter,
            "text": text,
            "purpose": purpose,
        }
        self._record(incident_ref, "chat.requested", payload, None, check, then=_queue(queued))
        return post_id

    def set_chat_channel(self, incident_ref: str, target_name: str | None) -> str:
        """Post this incident's status and severity changes to a chat target (None: stop)."""
        name: str | None = None
        if target_name is not None:
            catalog = self.catalog()
            if catalog is None:
                raise NotFound("There is no service catalog yet, so no chat target to post to.")
            target = catalog.target(target_name)
            if target.adapter not in CHAT_ADAPTERS:
                raise DomainError(
                    f"'{target.name}' is a {target.adapter} target, not a chat channel."
                )
            name = target.name

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.escalation.channel == name:
                raise DomainError(
                    f"Status changes are already posted to {name}."
                    if name
                    else "Status changes are not posted to chat."
                )

        return self._record(incident_ref, "chat.channel_set", {"target": name}, None, check).id

    def announce_change(self, incident_ref: str, text: str) -> str | None:
        """Post a status or severity change to the incident's channel, if it has one."""
        channel = self.incident(incident_ref).escalation.channel
        if channel is None:
            return None
        return self.post_to_chat(incident_ref, channel, text, purpose="status")

    def record_attempt(self, delivery: Delivery, outcome: AttemptOutcome) -> str:
        """Record how one delivery attempt went, and when (if ever) to try again.

        Writes ``escalation.sent``/``escalation.failed`` (or ``chat.sent``/``chat.failed``)
        and updates the outbox row in one transaction. A retryable failure of a trigger
        older than its maximum age (``core.backoff.max_age_for``: 30 minutes) is given up:
        nobody is woken for a stale page.
        """
        now = self.clock()
        attempt = delivery.attempts + 1
        created = from_micros(delivery.created_at_us)
        max_age = max_age_for("trigger" if delivery.action == "trigger" else "resolve")
        final = outcome.final
        reason = outcome.reason
        retry_in: float | None = None
        if not outcome.delivered and not final:
            # A Retry-After past the maximum age (or absurd) means: give up now.
            retry_in = min(
                next_delay(attempt, outcome.retry_after, random.Random()),
                max_age.total_seconds() + 1,
            )
            if should_give_up(created, now + timedelta(seconds=retry_in), max_age):
                final = True
                minutes = int(max_age.total_seconds() // 60)
                reason = (
                    f"{reason} Gave up: not delivered within {counted(minutes, 'minute')} of "
                    "the request; page again if it is still needed."
                )
        chat = delivery.purpose == "chat"
        if outcome.delivered:
            kind = "chat.sent" if chat else "escalation.sent"
        else:
            kind = "chat.failed" if chat else "escalation.failed"
        payload: dict[str, Any] = {"target": delivery.target, "attempt": attempt}
        if chat:
            payload.update(post_id=delivery.ref_id, reason=reason, final=final or False)
        else:
            payload.update(
                escalation_id=delivery.ref_id,
                action=delivery.action,
                status_code=outcome.status_code,
            )
            if not outcome.delivered:
                payload.update(reason=reason, final=final, retry_in_seconds=retry_in)
                if final and outcome.fix is not None:
                    payload["fix"] = outcome.fix
                if final and outcome.fix == "secret":
                    payload["secret"] = delivery.secret_name
        row_state = "done" if outcome.delivered else ("failed" if final else "pending")
        next_at = now + timedelta(seconds=retry_in or 0)
        follow_ups: list[Delivery] = []

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            # A trigger delivered after its page was answered or resolved (the click came
            # while it was in flight): tell the receiver that too, or its alert stays open.
            page = state.escalation.pages.get(delivery.ref_id)
            if not (outcome.delivered and delivery.action == "trigger" and page is not None):
                return
            action = (
                "resolve"
                if page.resolved_at is not None
                else "acknowledge"
                if page.acknowledged_at is not None
                else None
            )
            if action is not None and delivery.adapter in STATEFUL_ADAPTERS:
                message = {**delivery.message, "action": action}
                follow_ups.append(
                    replace(
                        delivery,
                        id=new_event_id(),
                        action=action,
                        message=message,
                        created_at_us=to_micros(now),
                        next_attempt_at_us=to_micros(now),
                        attempts=0,
                        last_reason="",
                    )
                )

        def then(tx: StoreTxn, event: Event) -> None:
            tx.update_delivery(
                delivery.id,
                state=row_state,
                attempts=attempt,
                next_at_us=to_micros(next_at),
                reason=reason,
            )
            _queue(follow_ups)(tx, event)

        return self._record(delivery.incident_id, kind, payload, None, check, then=then).id


# ----------------------------------------------------------------- helpers


def _queue(queued: list[Delivery]) -> Callable[[StoreTxn, Event], None]:
    def then(tx: StoreTxn, _event: Event) -> None:
        for delivery in queued:
            tx.add_delivery(delivery)
        global DELIVERIES_QUEUED
        DELIVERIES_QUEUED += len(queued)

    return then


# How many deliveries this process has queued: the app wakes its courier when a command
# raised it (no query needed to know whether there is something to send).
DELIVERIES_QUEUED = 0


def deliveries_queued() -> int:
    """The count of deliveries queued by this process so far."""
    return DELIVERIES_QUEUED


def dedup_key(state: IncidentState, service: str, level: int) -> str:
    """The receiver's dedup key of a page: the same for the same incident, service, level and
    round, so two workstations paging at once (before they sync) open one alert, not two.
    A later page of that level, after the earlier one was answered or closed, is a new round."""
    closed = sum(
        1
        for p in state.escalation.pages.values()
        if p.service == service and p.level == level and not p.open
    )
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", service)[:80]
    return f"incidentdesk-{state.id}-{slug}-L{level}-{closed + 1}"


def _total_levels(policy: Any) -> int:
    return len(policy.levels) * (1 + max(0, int(getattr(policy, "repeat", 0) or 0)))


def _level(policy: Any, level: int) -> Any:
    return policy.levels[(level - 1) % len(policy.levels)]


def _default_level(state: IncidentState, service: str) -> int:
    """Level 1 for a first page; after an unanswered or failed page, the next level."""
    latest = state.escalation.latest_for(service)
    if latest is None or latest.status in ("acknowledged", "resolved"):
        return 1
    if latest.status == "failed":
        return latest.level
    return latest.level + 1


def _find_page(state: IncidentState, ref: str) -> Page:
    ref = ref.strip().lower()
    if len(ref) < 6:
        raise DomainError(f"'{ref}' is too short to name a page; give at least 6 characters.")
    matches = [p for p in state.escalation.pages.values() if p.id.startswith(ref)]
    if not matches:
        raise NotFound(f"This incident has no page with the id '{ref}'.")
    if len(matches) > 1:
        raise DomainError(f"'{ref}' names several pages; give more of the id.")
    return matches[0]


def _option(catalog: Catalog | None, state: IncidentState, name: str) -> EscalationOption:
    page = state.escalation.latest_for(name)
    if catalog is None:
        return EscalationOption(name, None, None, 0, 1, page, "No service catalog imported.")
    try:
        svc = catalog.service(name)
    except NotFound:
        return EscalationOption(name, None, None, 0, 1, page, "Not in the service catalog.")
    try:
        policy = catalog.policy_for_service(svc.name)
    except NotFound as exc:
        return EscalationOption(svc.name, svc.team, None, 0, 1, page, str(exc))
    total = _total_levels(policy)
    return EscalationOption(
        svc.name,
        svc.team,
        policy.name,
        total,
        min(_default_level(state, svc.name), total),
        page,
        None,
    )


def _delivery(
    incident_id: str,
    ref_id: str,
    purpose: str,
    action: str,
    target: Any,
    message: dict[str, Any],
    now: datetime,
) -> Delivery:
    return Delivery(
        id=new_event_id(),
        incident_id=incident_id,
        ref_id=ref_id,
        purpose=purpose,
        action=action,
        target=target.name,
        adapter=target.adapter,
        secret_name=target.secret,
        options=dict(target.options),
        message={**message, "action": action},
        created_at_us=to_micros(now),
        next_attempt_at_us=to_micros(now),
    )


def _follow_ups(
    state: IncidentState, page: Page, action: str, catalog: Catalog | None, now: datetime
) -> list[Delivery]:
    """Acknowledge/resolve messages for the targets that hold an open alert for this page."""
    if catalog is None:
        return []
    queued: list[Delivery] = []
    try:
        svc = catalog.service(page.service)
    except NotFound:
        svc = None
    for delivery in page.targets.values():
        try:
            target = catalog.target(delivery.name)
        except NotFound:
            continue  # the target left the catalog since: nothing to tell
        if delivery.status != "sent" or target.adapter not in STATEFUL_ADAPTERS:
            continue
        message = page_message(state, svc, action, page.dedup_key)
        queued.append(_delivery(state.id, page.id, "page", action, target, message, now))
    return queued
