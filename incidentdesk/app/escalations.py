"""Escalations (``desk.escalations``): page a service's owners, acknowledge, resolve, post to
chat.

Asking for a page writes ``escalation.requested`` and queues one delivery per target in the
same transaction; the courier (``incidentdesk.runtime.courier``, its own thread) sends them and
records each outcome with :meth:`incidentdesk.app.deliveries.Deliveries.record_attempt`.
Nothing here speaks HTTP or reads a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incidentdesk.app.deliveries import AttemptOutcome, new_delivery, queue_deliveries
from incidentdesk.core.errors import DomainError, NotFound
from incidentdesk.core.escalation.model import CHAT_ADAPTERS, STATEFUL_ADAPTERS, ChatPost, Page
from incidentdesk.core.escalation.page_message import chat_message, page_message
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.infra.store.deliveries import Delivery

if TYPE_CHECKING:
    from incidentdesk.app.catalog import CatalogService
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.core.catalog.model import Catalog, EscalationPolicy, Service
    from incidentdesk.core.journal.events import Event
    from incidentdesk.infra.store.local import StoreTxn

__all__ = ["AttemptOutcome", "EscalationOption", "Escalations", "dedup_key"]


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


class Escalations:
    """Pages and chat posts (``desk.escalations``).

    Args:
        recorder: records the events (and holds the folds).
        catalog: the service catalog: whom to page, which chat targets there are.
    """

    def __init__(self, recorder: Recorder, catalog: CatalogService) -> None:
        self._recorder = recorder
        self._folds = recorder.folds
        self._catalog = catalog

    # ----------------------------------------------------------------- queries

    def pages(self, incident_ref: str) -> list[Page]:
        """The incident's pages, in the order they were requested."""
        return list(self._folds.state(incident_ref).escalation.pages.values())

    def chat_posts(self, incident_ref: str) -> list[ChatPost]:
        """The incident's chat posts, in the order they were requested."""
        return list(self._folds.state(incident_ref).escalation.posts.values())

    def options(self, incident_ref: str) -> list[EscalationOption]:
        """For each affected service: its owners, policy and the level a click would page."""
        state = self._folds.state(incident_ref)
        catalog = self._catalog.current()
        services = list(state.services)
        for page in state.escalation.pages.values():  # pages of services added by hand
            if page.service not in services:
                services.append(page.service)
        return [_option(catalog, state, name) for name in services]

    def chat_targets(self) -> list[str]:
        """Names of the catalog's chat targets (Slack, Teams, webhooks) to post updates to."""
        catalog = self._catalog.current()
        if catalog is None:
            return []
        return [t.name for t in catalog.chat_targets()]

    # ----------------------------------------------------------------- commands

    def escalate(self, incident_ref: str, service: str, level: int | None = None) -> str:
        """Page the owners of ``service`` at a policy level; returns the escalation id.

        Refused when that service and level already has a page waiting for an answer (a
        double click never pages twice), when the incident is no longer active, or when
        the catalog does not know how to reach the service's owners.
        """
        catalog, svc, policy = self._paged(service)
        total = _total_levels(policy)
        escalation_id = new_event_id()
        now = self._recorder.clock()

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            if not state.active:
                raise DomainError(f"The incident is {state.status}; nobody is paged for it.")
            wanted = level if level is not None else _default_level(state, svc.name)
            _check_level(state, svc.name, policy.name, wanted, total, now)
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
                new_delivery(state.id, escalation_id, "page", "trigger", t, message, now)
                for t in targets
            )

        queued: list[Delivery] = []
        payload = _page_payload(escalation_id, svc, policy.name, total)
        self._recorder.record(
            incident_ref,
            "escalation.requested",
            payload,
            None,
            check=check,
            then=queue_deliveries(queued),
        )
        return escalation_id

    def _paged(self, service: str) -> tuple[Catalog, Service, EscalationPolicy]:
        """The catalog, the service and its escalation policy (refused: none of them)."""
        catalog = self._catalog.current()
        if catalog is None:
            raise DomainError(
                "There is no service catalog yet; import one with "
                "'incidentdesk catalog import FILE' to know whom to page."
            )
        svc = catalog.service(service)  # NotFound names the service
        policy = catalog.policy_for_service(svc.name)  # NotFound says why there is none
        return catalog, svc, policy

    def acknowledge(self, incident_ref: str, escalation_ref: str, by: str | None = None) -> str:
        """Record who answered a page; tells PagerDuty/Opsgenie/webhooks it is acknowledged."""
        now = self._recorder.clock()
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
            queued.extend(_follow_ups(state, page, "acknowledge", self._catalog.current(), now))

        def then(tx: StoreTxn, event: Event) -> int:
            tx.cancel_deliveries(found[0], "trigger")  # someone answered: stop retrying
            return queue_deliveries(queued)(tx, event)

        payload: dict[str, Any] = {"escalation_id": "?" * 36, "by": by or self._recorder.author}
        self._recorder.record(
            incident_ref, "escalation.acknowledged", payload, None, check, then=then
        )
        return found[0]

    def resolve_pages(self, incident_ref: str) -> list[str]:
        """Resolve every page not resolved yet (offered when the incident is resolved)."""
        state = self._folds.state(incident_ref)
        done: list[str] = []
        for page in list(state.escalation.pages.values()):
            if page.resolved_at is None and page.status != "failed":
                done.append(self.resolve_page(incident_ref, page.id))
        return done

    def resolve_page(self, incident_ref: str, escalation_ref: str) -> str:
        """Close one page here and on the paging service."""
        now = self._recorder.clock()
        queued: list[Delivery] = []
        found: list[str] = []

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            page = _find_page(state, escalation_ref)
            found.append(page.id)
            if page.resolved_at is not None:
                raise DomainError("That page is resolved already.")
            payload["escalation_id"] = page.id
            queued.extend(_follow_ups(state, page, "resolve", self._catalog.current(), now))

        def then(tx: StoreTxn, event: Event) -> int:
            tx.cancel_deliveries(found[0], "trigger")
            return queue_deliveries(queued)(tx, event)

        payload: dict[str, Any] = {"escalation_id": "?" * 36}
        self._recorder.record(incident_ref, "escalation.resolved", payload, None, check, then=then)
        return found[0]

    def post_to_chat(
        self, incident_ref: str, target_name: str, text: str, purpose: str = "update"
    ) -> str:
        """Send a message (a stakeholder update, a status change) to a chat target."""
        catalog = self._catalog.current()
        if catalog is None:
            raise NotFound("There is no service catalog yet, so no chat target to post to.")
        target = catalog.target(target_name)
        if target.adapter not in CHAT_ADAPTERS:
            raise DomainError(f"'{target.name}' is a {target.adapter} target, not a chat channel.")
        post_id = new_event_id()
        now = self._recorder.clock()
        queued: list[Delivery] = []

        def check(state: IncidentState, payload: dict[str, Any]) -> None:
            message = chat_message(state, payload["text"], f"incidentdesk-{post_id}")
            queued.append(new_delivery(state.id, post_id, "chat", "post", target, message, now))

        payload = {
            "post_id": post_id,
            "target": target.name,
            "adapter": target.adapter,
            "text": text,
            "purpose": purpose,
        }
        self._recorder.record(
            incident_ref, "chat.requested", payload, None, check, then=queue_deliveries(queued)
        )
        return post_id

    def set_chat_channel(self, incident_ref: str, target_name: str | None) -> str:
        """Post this incident's status and severity changes to a chat target (None: stop)."""
        name: str | None = None
        if target_name is not None:
            catalog = self._catalog.current()
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

        return self._recorder.record(
            incident_ref, "chat.channel_set", {"target": name}, None, check
        ).id

    def announce_change(self, incident_ref: str, text: str) -> str | None:
        """Post a status or severity change to the incident's channel, if it has one."""
        channel = self._folds.state(incident_ref).escalation.channel
        if channel is None:
            return None
        return self.post_to_chat(incident_ref, channel, text, purpose="status")


# ----------------------------------------------------------------- helpers


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


def _page_payload(escalation_id: str, svc: Service, policy: str, total: int) -> dict[str, Any]:
    """The page's payload before the check fills in the level, its targets and dedup key."""
    return {
        "escalation_id": escalation_id,
        "service": svc.name,
        "team": svc.team,
        "policy": policy,
        "level": 1,
        "levels": total,
        "ack_timeout_minutes": 1,
        "dedup_key": f"incidentdesk-{escalation_id}",
        "targets": [],
    }


def _check_level(
    state: IncidentState, service: str, policy: str, wanted: int, total: int, now: datetime
) -> None:
    """Refuse a level the policy does not have, or one with a page waiting for an answer."""
    if not 1 <= wanted <= total:
        raise DomainError(f"Policy '{policy}' has levels 1 to {total}; there is no level {wanted}.")
    waiting = state.escalation.open_page(service, wanted)
    if waiting is not None:
        ago = max(0, int((now - waiting.requested_at).total_seconds() // 60))
        raise DomainError(
            f"{service} level {wanted} was paged {ago} min ago and is waiting for an "
            "answer; mark it acknowledged or escalate to the next level."
        )


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
        queued.append(new_delivery(state.id, page.id, "page", action, target, message, now))
    return queued
